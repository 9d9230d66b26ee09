/** Speech for tests: espeak-ng (Debian, installed by .ci/run) saying a text, as mono float. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../src/media/binaries.ts';

export interface SpeakOptions {
  /** Folder for espeak-ng's WAV file. */
  dir: string;
  /** Output rate, Hz. */
  rate: number;
  /** espeak-ng pitch, 0–99. @defaultValue 50 */
  pitch?: number;
  /** Words per minute. @defaultValue 160 */
  wordsPerMinute?: number;
}

/** espeak-ng saying `text`, resampled by ffmpeg to `rate` mono, the silence it adds at both ends cut off. */
export function speak(text: string, o: SpeakOptions): Float32Array {
  const pitch = o.pitch ?? 50;
  const wav = join(o.dir, `say-${pitch}.wav`);
  execFileSync('espeak-ng', [
    '-v',
    'en-us',
    '-s',
    String(o.wordsPerMinute ?? 160),
    '-p',
    String(pitch),
    '-w',
    wav,
    text,
  ]);
  const raw = execFileSync(
    resolveFfmpeg().ffmpeg,
    ['-loglevel', 'error', '-i', wav, '-ar', String(o.rate), '-ac', '1', '-f', 'f32le', '-'],
    { maxBuffer: 1 << 26 },
  );
  const x = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  let a = 0;
  let b = x.length;
  while (a < b && Math.abs(x[a]) < 1e-3) a++;
  while (b > a && Math.abs(x[b - 1]) < 1e-3) b--;
  return x.slice(a, b);
}
