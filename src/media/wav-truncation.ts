/**
 * A WAV file cut short (a copy or a recording that stopped) still decodes, silently, up to the
 * cut — and ffprobe reports the length that is there, not the one the header declares. The RIFF
 * header's `data` size tells the two apart exactly, so a truncated WAV is refused before anything
 * runs instead of yielding a shorter output nobody asked for.
 */
import { open } from 'node:fs/promises';
import { MediaError } from '../core/errors.ts';

export interface WavTruncation {
  /** Seconds the header's `data` chunk declares. */
  declaredSeconds: number;
  /** Seconds of sample data the file actually holds. */
  presentSeconds: number;
}

// The chunks before `data` (fmt, LIST, bext …) fit in the first 64 KiB of any sane file.
const HEAD_BYTES = 64 * 1024;
// Writers that stream (ffmpeg to a pipe, some recorders) leave the size unknown with these.
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/** How much of the declared audio a RIFF/WAVE file is missing; undefined when whole, unknown or not a WAV. */
export async function wavTruncation(file: string): Promise<WavTruncation | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    return truncationOf(head, size);
  } finally {
    await handle.close();
  }
}

function truncationOf(head: Buffer, fileBytes: number): WavTruncation | undefined {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE')
    return undefined;
  let bytesPerSecond = 0;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('latin1', at, at + 4);
    const bytes = head.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 12 <= head.length) bytesPerSecond = head.readUInt32LE(body + 8);
    if (id === 'data') {
      if (UNKNOWN_SIZES.has(bytes) || bytesPerSecond <= 0) return undefined;
      const present = Math.max(0, fileBytes - body);
      if (present >= bytes) return undefined;
      return { declaredSeconds: bytes / bytesPerSecond, presentSeconds: present / bytesPerSecond };
    }
    at = body + bytes + (bytes % 2); // chunks are padded to even sizes
  }
  return undefined;
}

/** The refusal for a truncated WAV, naming both lengths and the fix. */
export function truncatedWavError(file: string, t: WavTruncation): MediaError {
  return new MediaError(
    file,
    `is truncated: its header declares ${t.declaredSeconds.toFixed(3)} s of audio but the file holds ${t.presentSeconds.toFixed(3)} s ` +
      '(cut short while copying or recording); copy or export it again, or re-save what is there (ffmpeg -i IN OUT.wav)',
  );
}
