/**
 * An MP4 (MOV, M4A, 3GP) cut short — a copy or a download that stopped — still probes whole when
 * its `moov` index comes first (faststart): ffprobe reads the index, which describes every sample,
 * and only the decoder finds the samples missing ("partial file"), after the run has started. The
 * top-level boxes tell it at once: each declares its size, and the last runs past the end of the
 * file. (Cut before its `moov`, a file does not probe at all: ffprobe says so itself.)
 */
import { open } from 'node:fs/promises';
import { MediaError } from '../core/errors.ts';

export interface Mp4Truncation {
  /** The box that runs past the end, e.g. `mdat`. */
  box: string;
  /** Where that box declares it ends, and the file's size, in bytes. */
  declaredBytes: number;
  presentBytes: number;
}

// A fragmented file has two top-level boxes per fragment; hours of them stay below this.
const MAX_BOXES = 100_000;

/** Whether ffprobe's container name is the ISO base media family (mov,mp4,m4a,3gp,3g2,mj2). */
export function isIsoMedia(format: string): boolean {
  return format.split(',').includes('mov');
}

/**
 * The top-level box that runs past the end of an ISO media file; undefined when every box fits,
 * when the last box is open-ended (size 0: "to the end of the file"), or when what follows a box
 * is not one (trailing bytes some writers leave: not ours to judge).
 */
export async function mp4Truncation(file: string): Promise<Mp4Truncation | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(16);
    for (let at = 0, boxes = 0; at + 8 <= size && boxes < MAX_BOXES; boxes++) {
      const { bytesRead } = await handle.read(header, 0, 16, at);
      const box = header.toString('latin1', 4, 8);
      if (!/^[\x20-\x7e]{4}$/.test(box)) return undefined;
      const small = header.readUInt32BE(0);
      if (small === 0) return undefined;
      if (small === 1 && bytesRead < 16) return undefined;
      const length = small === 1 ? Number(header.readBigUInt64BE(8)) : small;
      if (length < 8) return undefined;
      if (at + length > size) return { box, declaredBytes: at + length, presentBytes: size };
      at += length;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** The refusal for a cut MP4, with both sizes and the fix. */
export function truncatedMp4Error(file: string, t: Mp4Truncation): MediaError {
  return new MediaError(
    file,
    `is truncated: its "${t.box}" box runs to byte ${t.declaredBytes} but the file holds ${t.presentBytes} bytes ` +
      '(cut short while copying, downloading or recording); copy it again, or re-save what is there (ffmpeg -i IN -c copy OUT.mp4)',
  );
}
