/**
 * The disk cache's size cap. `REEL_CACHE_MAX` sets it — bytes, or a number with K, M, G or T
 * (binary: `500M`, `2G`, `1.5GiB`); unset or empty means the default, 2 GiB. `0` turns the disk
 * cache off: nothing is written and nothing is read (entries already there stay until
 * `reel cache clean`). A cap is a bound on entries, not on the folder: fan-out folders and the
 * temporary files of writers in progress are not counted.
 */
import { UsageError } from '../core/errors.ts';
import { parseByteSize } from './byte-size.ts';

/** @defaultValue of `REEL_CACHE_MAX`: 2 GiB, room for ~560 text-encoder rows of [226, 4096]. */
export const DEFAULT_CACHE_MAX_BYTES = 2 * 2 ** 30;

/**
 * Past the cap, entries are removed down to this fraction of it, so that the next few puts do
 * not each pay for a scan and an eviction.
 */
export const EVICT_TO_FRACTION = 0.9;

export interface CacheLimit {
  /** Bytes of entries the cache may hold; 0: the cache is off. */
  maxBytes: number;
  /** Where the cap came from (`reel cache ls` says it). */
  from: 'default' | 'REEL_CACHE_MAX';
}

/** The cap from `REEL_CACHE_MAX`; a malformed value is a one-line UsageError naming the variable. */
export function cacheLimitFromEnv(env: NodeJS.ProcessEnv = process.env): CacheLimit {
  const raw = env.REEL_CACHE_MAX;
  if (raw === undefined || raw.trim() === '') return { maxBytes: DEFAULT_CACHE_MAX_BYTES, from: 'default' };
  const maxBytes = parseByteSize(raw);
  if (maxBytes === undefined) {
    throw new UsageError(
      `REEL_CACHE_MAX="${raw}" is not a size — give bytes or a number with K, M, G or T (binary), e.g. REEL_CACHE_MAX=2G; 0 turns the disk cache off`,
    );
  }
  return { maxBytes, from: 'REEL_CACHE_MAX' };
}
