/**
 * A WAV file cut short (a copy or a recording that stopped) still decodes, silently, up to the
 * cut — and ffprobe reports the length that is there, not the one the header declares. The RIFF
 * header's `data` size tells the two apart exactly, so a truncated WAV is refused before anything
 * runs instead of yielding a shorter output nobody asked for. The other way round too: a header
 * that declares less than the audio after it (written before the recording ended) decodes only
 * the declared part — 3 ms of a 3 s file — so it is refused as well, with the way to re-save it.
 */
import { open } from 'node:fs/promises';
import { MediaError } from '../core/errors.ts';

export interface WavTruncation {
  /** Seconds the header's `data` chunk declares. */
  declaredSeconds: number;
  /** Seconds of sample data the file actually holds. */
  presentSeconds: number;
  /** Bytes declared and present, for differences below a millisecond. */
  declaredBytes: number;
  presentBytes: number;
}

// The chunks before `data` (fmt, LIST, bext …) fit in the first 64 KiB of any sane file.
const HEAD_BYTES = 64 * 1024;
// Writers that stream (ffmpeg to a pipe, some recorders) leave the size unknown with these.
const UNKNOWN_SIZES = new Set([0, 0xffffffff]);

/**
 * How a RIFF/WAVE file's audio differs from what its header declares; undefined when they agree,
 * when the size is unknown (a streamed WAV), or when the file is not a WAV.
 */
export async function wavTruncation(file: string): Promise<WavTruncation | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    const data = dataChunkOf(head);
    if (!data) return undefined;
    const { body, bytes, bytesPerSecond } = data;
    const present = Math.max(0, size - body);
    const mismatch: WavTruncation = {
      declaredSeconds: bytes / bytesPerSecond,
      presentSeconds: present / bytesPerSecond,
      declaredBytes: bytes,
      presentBytes: present,
    };
    if (present < bytes) return mismatch;
    // More than declared follows: fine when it is a few stray bytes or further chunks (LIST, id3 …),
    // not when it is audio.
    const after = body + bytes + (bytes % 2);
    if (size - after < Math.max(8, bytesPerSecond / 100)) return undefined;
    const next = Buffer.alloc(8);
    await handle.read(next, 0, 8, after);
    return isChunk(next, size - after) ? undefined : mismatch;
  } finally {
    await handle.close();
  }
}

/** Where the `data` chunk's samples start, its declared size and the format's bytes per second. */
function dataChunkOf(head: Buffer): { body: number; bytes: number; bytesPerSecond: number } | undefined {
  if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE')
    return undefined;
  let bytesPerSecond = 0;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('latin1', at, at + 4);
    const bytes = head.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && body + 12 <= head.length) bytesPerSecond = head.readUInt32LE(body + 8);
    if (id === 'data')
      return UNKNOWN_SIZES.has(bytes) || bytesPerSecond <= 0 ? undefined : { body, bytes, bytesPerSecond };
    at = body + bytes + (bytes % 2); // chunks are padded to even sizes
  }
  return undefined;
}

/** Whether `header` (8 bytes) starts a plausible RIFF chunk: a printable id, a size that fits in `left`. */
function isChunk(header: Buffer, left: number): boolean {
  const id = header.subarray(0, 4);
  return id.every((b) => b >= 0x20 && b < 0x7f) && 8 + header.readUInt32LE(4) <= left;
}

/** Both lengths, in seconds — or in bytes when they differ by less than a millisecond. */
function lengths(t: WavTruncation): [string, string] {
  const close = Math.abs(t.declaredSeconds - t.presentSeconds) < 0.0005;
  return close
    ? [`${t.declaredBytes} bytes`, `${t.presentBytes} bytes`]
    : [`${t.declaredSeconds.toFixed(3)} s`, `${t.presentSeconds.toFixed(3)} s`];
}

/** The refusal for a WAV whose header does not match its audio, naming both lengths and the fix. */
export function truncatedWavError(file: string, t: WavTruncation): MediaError {
  const [declared, present] = lengths(t);
  if (t.presentBytes > t.declaredBytes)
    return new MediaError(
      file,
      `has a wrong header: it declares ${declared} of audio but ${present} follow it (the header was written before the recording ended); ` +
        're-save it with the whole audio: ffmpeg -ignore_length 1 -i IN OUT.wav',
    );
  return new MediaError(
    file,
    `is truncated: its header declares ${declared} of audio but the file holds ${present} ` +
      '(cut short while copying or recording); copy or export it again, or re-save what is there (ffmpeg -i IN OUT.wav)',
  );
}
