/**
 * `reel cache clean`'s work: remove every entry, those unused for a while, or the least recently
 * used down to a size — plus writers' temporary files older than an hour (crashed writers) and
 * the fan-out folders left empty. The cache folder itself stays.
 *
 * Safety: only entry and temp files are ever removed (cache-folder.ts), and a folder that does
 * not look like a cache folder is refused whole, so that `REEL_CACHE_DIR=~` or a typo cannot
 * turn a clean into a deletion of anything else. Refused (UsageError, exit 2):
 * - the filesystem root, the home folder, or a folder that holds the home folder;
 * - a folder whose top level holds anything but two-hex-digit fan-out folders (the content cache
 *   writes nothing else there: a dotfile, a file or any other folder means it is not only ours).
 * A missing folder is an empty cache: nothing to do.
 */
import { realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import { parse, resolve, sep } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { type CacheEntry, leastRecentlyUsed, removeCacheFiles, removeEmptyFanOuts, scanCache } from './cache-folder.ts';

export interface CleanOptions {
  /** Remove only entries last used longer ago than this (ms). */
  olderThanMs?: number;
  /** Then remove the least recently used entries until at most this many bytes are left. */
  maxBytes?: number;
  /** The clock, for tests. @defaultValue Date.now() */
  now?: number;
}

export interface CleanReport {
  dir: string;
  exists: boolean;
  removedEntries: number;
  removedTemps: number;
  bytesFreed: number;
  entriesLeft: number;
  bytesLeft: number;
  failed: { path: string; reason: string }[];
}

const REFUSE_HINT = "point REEL_CACHE_DIR at reel's own cache folder (default ~/.cache/reel)";

async function realFolder(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/** Why `dir` must not be cleaned, or undefined. */
async function refusal(dir: string, strangers: readonly string[]): Promise<string | undefined> {
  const real = await realFolder(dir);
  const home = await realFolder(homedir());
  if (parse(real).root === real)
    return `cache folder ${dir} is the filesystem root — refusing to clean it; ${REFUSE_HINT}`;
  if (real === home || home.startsWith(real.endsWith(sep) ? real : `${real}${sep}`)) {
    const what = real === home ? 'is the home folder' : `holds the home folder ${home}`;
    return `cache folder ${dir} ${what} — refusing to clean it; ${REFUSE_HINT}`;
  }
  if (strangers.length > 0) {
    const shown = strangers
      .slice(0, 3)
      .map((s) => `"${s}"`)
      .join(', ');
    return (
      `cache folder ${dir} holds ${strangers.length} item(s) that are not cache fan-out folders (${shown}${strangers.length > 3 ? ', …' : ''})` +
      ` — refusing to clean it; ${REFUSE_HINT}`
    );
  }
  return undefined;
}

export async function cleanCache(dir: string, options: CleanOptions = {}): Promise<CleanReport> {
  const now = options.now ?? Date.now();
  const scan = await scanCache(dir, now);
  const report: CleanReport = {
    dir,
    exists: scan.exists,
    removedEntries: 0,
    removedTemps: 0,
    bytesFreed: 0,
    entriesLeft: scan.entries.length,
    bytesLeft: scan.bytes,
    failed: [],
  };
  if (!scan.exists) return report;
  const why = await refusal(dir, scan.strangers);
  if (why) throw new UsageError(why);

  const { olderThanMs, maxBytes } = options;
  let doomed: CacheEntry[] =
    olderThanMs !== undefined
      ? scan.entries.filter((e) => now - e.lastUsedMs > olderThanMs)
      : maxBytes !== undefined
        ? []
        : scan.entries;
  if (maxBytes !== undefined) {
    const dropped = new Set(doomed);
    doomed = [
      ...doomed,
      ...leastRecentlyUsed(
        scan.entries.filter((e) => !dropped.has(e)),
        maxBytes,
      ),
    ];
  }

  const entries = await removeCacheFiles(doomed);
  const temps = await removeCacheFiles(scan.staleTemps);
  await removeEmptyFanOuts(dir);
  report.removedEntries = entries.removed.length;
  report.removedTemps = temps.removed.length;
  report.bytesFreed = entries.bytesFreed + temps.bytesFreed;
  report.entriesLeft = scan.entries.length - entries.removed.length;
  report.bytesLeft = scan.bytes - entries.bytesFreed;
  report.failed = [...entries.failed, ...temps.failed];
  return report;
}
