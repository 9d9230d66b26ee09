/**
 * A clip of an exact length made from a shorter (or longer) one: the source looped and cut, for
 * benchmarks that run a pipeline at several clip lengths from one sample.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MediaError } from '../core/errors.ts';
import { resolveFfmpeg } from './binaries.ts';
import { ffmpegUrl } from './mediaPath.ts';

const run = promisify(execFile);

export async function loopClip(source: string, seconds: number, out: string, kind: 'audio' | 'video'): Promise<void> {
  const codec =
    kind === 'audio'
      ? ['-vn', '-c:a', 'pcm_s16le']
      : ['-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  try {
    await run(resolveFfmpeg().ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-stream_loop',
      '-1',
      '-i',
      ffmpegUrl(source),
      '-t',
      String(seconds),
      ...codec,
      ffmpegUrl(out),
    ]);
  } catch (err) {
    const reason = String((err as { stderr?: string }).stderr ?? (err as Error).message)
      .trim()
      .split('\n')
      .pop();
    throw new MediaError(source, `cannot make a ${seconds} s ${kind} clip from it`, {
      ffmpegReason: reason,
      cause: err,
    });
  }
}
