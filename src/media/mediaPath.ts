/**
 * Turning a user's file name into an ffmpeg argument that can only mean that file. A name that
 * starts with `-` would be read as an option, and one with a `:` as a protocol (`http:`,
 * `concat:`), so every path goes to ffmpeg absolute and behind the `file:` protocol.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MediaError } from '../core/errors.ts';

/** The ffmpeg/ffprobe argument for a local file. */
export function ffmpegUrl(file: string): string {
  return `file:${resolve(file)}`;
}

/**
 * Checks what ffmpeg reports badly or not at all: a missing file, a folder, an empty file.
 * Returns the file's size in bytes.
 */
export async function checkInputFile(file: string): Promise<number> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MediaError(file, 'file not found');
    if (code === 'EACCES') throw new MediaError(file, 'permission denied');
    throw new MediaError(file, `cannot read: ${(err as Error).message}`, { cause: err });
  }
  if (info.isDirectory()) throw new MediaError(file, 'is a folder, not a media file');
  if (info.size === 0) throw new MediaError(file, 'file is empty (0 bytes)');
  return info.size;
}
