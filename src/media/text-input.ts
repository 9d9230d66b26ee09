/**
 * Reading a text input (a script, a prompt): UTF-8, a leading byte-order mark dropped. A file over
 * `maxBytes`, one that is not valid UTF-8 (UTF-16, Latin-1) or one that holds binary data is
 * refused with the place of the first bad byte, since feeding such text to a tokenizer gives
 * garbage speech or video rather than an error. Used by text-source and by `reel run`, which
 * checks a bound text input before loading any model.
 */
import { readFile, stat } from 'node:fs/promises';
import { MediaError } from '../core/errors.ts';

/** Byte offset of the first invalid UTF-8 sequence, or -1 (RFC 3629: no overlongs, no surrogates). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** Offset of the first control character that plain text never holds (NUL, ESC …), or -1. */
function firstBinaryByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    // Tab, LF, VT, FF, CR are text; the other C0 controls and DEL mark a binary file.
    if ((b < 0x20 && (b < 0x09 || b > 0x0d)) || b === 0x7f) return i;
  }
  return -1;
}

function lineOf(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Reads and checks a text input; throws MediaError naming the file and what is wrong. */
export async function readTextInput(file: string, maxBytes: number): Promise<string> {
  let size: number;
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw new MediaError(file, 'is a folder, not a text file');
    size = info.size;
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw new MediaError(
      file,
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read: ${(err as Error).message}`,
      { cause: err },
    );
  }
  if (size > maxBytes) {
    throw new MediaError(
      file,
      `is ${size} bytes, over the text source's maxBytes of ${maxBytes}; split the text or raise maxBytes`,
    );
  }
  const bytes = new Uint8Array(await readFile(file));
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const body = bytes.subarray(bom);
  if ((body[0] === 0xff && body[1] === 0xfe) || (body[0] === 0xfe && body[1] === 0xff)) {
    throw new MediaError(file, 'is UTF-16 text; save it as UTF-8');
  }
  const bad = firstInvalidUtf8(body);
  if (bad >= 0) {
    throw new MediaError(
      file,
      `is not UTF-8 text: invalid byte 0x${body[bad].toString(16)} at byte ${bad + bom} (line ${lineOf(body, bad)}); save it as UTF-8`,
    );
  }
  const binary = firstBinaryByte(body);
  if (binary >= 0) {
    throw new MediaError(
      file,
      `looks like a binary file, not text: control byte 0x${body[binary].toString(16).padStart(2, '0')} at byte ${binary + bom} (line ${lineOf(body, binary)})`,
    );
  }
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  if (text.trim() === '') throw new MediaError(file, 'holds no text (empty or only whitespace)');
  return text;
}
