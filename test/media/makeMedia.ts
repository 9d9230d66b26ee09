/**
 * Test inputs made by ffmpeg itself (lavfi sources), in a fresh folder under the OS temp dir.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../src/media/binaries.ts';

export function tempDir(tag: string): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `reel-media-${tag}-`));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs ffmpeg with `args` (output last), failing the test on error. */
export function ffmpeg(...args: string[]): void {
  const r = spawnSync(resolveFfmpeg().ffmpeg, ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr}`);
}

/** ffprobe's JSON for a file (streams + format). */
export function ffprobeJson(file: string): {
  format: { duration: string; format_name: string };
  streams: {
    codec_type: string;
    codec_name: string;
    width?: number;
    height?: number;
    pix_fmt?: string;
    sample_rate?: string;
    channels?: number;
  }[];
} {
  const r = spawnSync(
    resolveFfmpeg().ffprobe,
    ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', `file:${file}`],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function sineWav(out: string, o: { freq: number; rate: number; seconds: number; channels?: number }): string {
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${o.freq}:sample_rate=${o.rate}:duration=${o.seconds}`,
    '-ac',
    String(o.channels ?? 1),
    out,
  );
  return out;
}

/** A small H.264 + AAC mp4: testsrc pattern and a sine, `seconds` long. */
export function avMp4(out: string, o: { seconds: number; size?: string; fps?: number; faststart?: boolean }): string {
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${o.size ?? '64x48'}:rate=${o.fps ?? 25}:duration=${o.seconds}`,
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${o.seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    ...(o.faststart ? ['-movflags', '+faststart'] : []),
    out,
  );
  return out;
}

/** A video-only mp4 of one flat colour. */
export function colorMp4(out: string, o: { color: string; seconds: number; size: string; fps: number }): string {
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `color=c=${o.color}:size=${o.size}:rate=${o.fps}:duration=${o.seconds}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    out,
  );
  return out;
}

/** A one-frame PNG of one flat colour. */
export function colorPng(out: string, o: { color: string; size: string }): string {
  ffmpeg('-f', 'lavfi', '-i', `color=c=${o.color}:size=${o.size}`, '-frames:v', '1', out);
  return out;
}

/** Frequency of a mono signal, Hz, from its rising zero crossings (first to last). */
export function zeroCrossingFrequency(x: Float32Array, sampleRate: number): number {
  const rising: number[] = [];
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 && x[i] >= 0) rising.push(i);
  return ((rising.length - 1) * sampleRate) / (rising[rising.length - 1] - rising[0]);
}

/** Whether a process id is still alive (or a zombie nobody reaped). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export { concatFloat as concatFloat32 } from '../helpers/audio-signals.ts';
