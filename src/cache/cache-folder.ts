/**
 * What is in a cache folder, and removing entries from it. Only files named as the content cache
 * names them are ever touched — `ab/<sha256 hex>.f32` in a two-hex-digit fan-out folder, and the
 * `<entry>.<pid>.<hex>.tmp` files of writers — so a cache folder pointed at the wrong place
 * (`REEL_CACHE_DIR=~`) loses nothing that reel did not write. Links are never followed.
 *
 * Every step tolerates other processes: an entry that vanishes between listing and stat or
 * removal was evicted or cleaned by someone else (it is skipped or counted as gone), and a
 * reader whose file is removed keeps its open descriptor (POSIX) or sees a miss.
 */
import type { Dirent } from 'node:fs';
import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../core/errors.ts';

/** One cached tensor file. */
export interface CacheEntry {
  path: string;
  bytes: number;
  /** mtime: set when written and on every hit (atime is no use on noatime mounts). */
  lastUsedMs: number;
}

export interface CacheScan {
  dir: string;
  /** false: the folder does not exist yet (an empty cache, not an error). */
  exists: boolean;
  /** Least recently used first. */
  entries: CacheEntry[];
  /** Sum of the entries' sizes. */
  bytes: number;
  /** Writers' temporary files older than STALE_TEMP_MS: left by a crashed process. */
  staleTemps: CacheEntry[];
  /** Names at the top of the folder that are not fan-out folders (the content cache makes none). */
  strangers: string[];
}

/** A temporary file this old belongs to no live writer (an entry is a few MiB, written in ms). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

const FAN_OUT = /^[0-9a-f]{2}$/;
const ENTRY = /^[0-9a-f]{64}\.f32$/;
const TEMP = /^[0-9a-f]{64}\.f32\.\d+\.[0-9a-f]+\.tmp$/;

const isMissing = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT';

async function listFolder(dir: string): Promise<Dirent[] | undefined> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

async function statFile(path: string): Promise<CacheEntry | undefined> {
  try {
    const s = await stat(path);
    return { path, bytes: s.size, lastUsedMs: s.mtimeMs };
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Lists the entries of `dir` (one readdir per fan-out folder, one stat per file). */
export async function scanCache(dir: string, now = Date.now()): Promise<CacheScan> {
  const scan: CacheScan = { dir, exists: false, entries: [], bytes: 0, staleTemps: [], strangers: [] };
  const top = await listFolder(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOTDIR') throw error;
    throw new UsageError(`cache folder ${dir} is a file, not a folder — point REEL_CACHE_DIR at a folder`);
  });
  if (!top) return scan;
  scan.exists = true;
  for (const fanOut of top) {
    if (!fanOut.isDirectory() || !FAN_OUT.test(fanOut.name)) {
      scan.strangers.push(fanOut.name);
      continue;
    }
    const folder = join(dir, fanOut.name);
    const files = (await listFolder(folder)) ?? [];
    const entryFiles = files.filter((f) => f.isFile() && ENTRY.test(f.name) && f.name.startsWith(fanOut.name));
    const tempFiles = files.filter((f) => f.isFile() && TEMP.test(f.name));
    for (const entry of await Promise.all(entryFiles.map((f) => statFile(join(folder, f.name))))) {
      if (entry) scan.entries.push(entry);
    }
    for (const temp of await Promise.all(tempFiles.map((f) => statFile(join(folder, f.name))))) {
      if (temp && now - temp.lastUsedMs > STALE_TEMP_MS) scan.staleTemps.push(temp);
    }
  }
  scan.entries.sort((a, b) => a.lastUsedMs - b.lastUsedMs);
  scan.bytes = scan.entries.reduce((sum, e) => sum + e.bytes, 0);
  return scan;
}

export interface Removal {
  /** Files now gone (by this call, or by another process in the meantime). */
  removed: CacheEntry[];
  bytesFreed: number;
  /** Files that could not be removed (permissions; an open file on Windows), with the reason. */
  failed: { path: string; reason: string }[];
}

/** Removes `files`; one that is already gone counts as removed. */
export async function removeCacheFiles(files: readonly CacheEntry[]): Promise<Removal> {
  const removal: Removal = { removed: [], bytesFreed: 0, failed: [] };
  for (const file of files) {
    try {
      await unlink(file.path);
    } catch (error) {
      if (!isMissing(error)) {
        removal.failed.push({ path: file.path, reason: (error as NodeJS.ErrnoException).code ?? String(error) });
        continue;
      }
    }
    removal.removed.push(file);
    removal.bytesFreed += file.bytes;
  }
  return removal;
}

/**
 * The least recently used of `entries` (oldest first, as a scan sorts them) whose removal leaves
 * at most `targetBytes`; those in `keep` (the entry a put just wrote) are never chosen.
 */
export function leastRecentlyUsed(
  entries: readonly CacheEntry[],
  targetBytes: number,
  keep: ReadonlySet<string> = new Set(),
): CacheEntry[] {
  const chosen: CacheEntry[] = [];
  let bytes = entries.reduce((sum, e) => sum + e.bytes, 0);
  for (const entry of entries) {
    if (bytes <= targetBytes) break;
    if (keep.has(entry.path)) continue;
    chosen.push(entry);
    bytes -= entry.bytes;
  }
  return chosen;
}

/**
 * Removes the fan-out folders of `dir` that are empty. A writer that made one just before it is
 * removed retries its mkdir (content-cache.ts), so this never fails a put.
 */
export async function removeEmptyFanOuts(dir: string): Promise<void> {
  for (const fanOut of (await listFolder(dir)) ?? []) {
    if (!fanOut.isDirectory() || !FAN_OUT.test(fanOut.name)) continue;
    // ENOTEMPTY and ENOENT are the expected answers of a folder in use or already gone.
    await rmdir(join(dir, fanOut.name)).catch(() => undefined);
  }
}
