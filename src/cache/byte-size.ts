/**
 * Byte sizes as people write them and read them. Units are binary (K = 1024), as `du -h` and
 * `ls -h` count, so the cache's default cap `2G` is 2 GiB exactly and `reel cache ls` agrees with
 * `du -sh` on the folder.
 */
import prettyBytes from 'pretty-bytes';

const UNIT_BYTES: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

// `2G`, `2GB`, `2GiB`, `1.5g`, `500M`, `4096`, `4096B`; a space before the unit is allowed.
const SIZE = /^(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?$/i;

/** Bytes in `text` (`2G`, `500M`, `1048576`), or undefined when it is not a size. */
export function parseByteSize(text: string): number | undefined {
  const match = SIZE.exec(text.trim());
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNIT_BYTES[(match[2] ?? '').toLowerCase()]);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `812 B`, `3.5 KiB`, `44.3 MiB`, `2 GiB` (pretty-bytes, binary units). */
export function formatByteSize(bytes: number): string {
  return prettyBytes(bytes, { binary: true });
}
