/**
 * A content-addressed store of float32 tensors on disk: key parts → sha256 → one file under the
 * cache folder. Writes go to a temporary name and are renamed into place, so a reader never sees
 * a half-written entry and two processes filling the same key race harmlessly (the last rename
 * wins, and both wrote the same bytes). A file that does not parse is a miss, never an error:
 * the caller recomputes and overwrites it.
 *
 * The store is bounded (cache-limit.ts: `REEL_CACHE_MAX`, default 2 GiB; 0 turns it off) and
 * evicts by least recent use: an entry's mtime is its last use, set when it is written and on
 * every hit. Sizes are learnt by scanning the folder (cache-folder.ts), which a put does only
 * when one is due — at this cache's first put, when its running total (last scan + bytes put
 * since) passes the cap, and every RESCAN_EVERY_PUTS puts to see what other processes added — so
 * a put costs a write and a rename, not a walk of the tree. A scan that finds the entries over
 * the cap removes the least recently used down to 90% of it (never the entry just written).
 * Other processes may use the folder at the same time: an entry removed under a reader is a miss,
 * and only the temporary files of crashed writers (older than an hour) are ever removed.
 *
 * File layout (little-endian): magic `REELF32\n`, u32 header length, UTF-8 JSON `{ "dims": [...] }`,
 * then the float32 data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { leastRecentlyUsed, removeCacheFiles, scanCache } from './cache-folder.ts';
import { cacheLimitFromEnv, EVICT_TO_FRACTION } from './cache-limit.ts';

export type KeyPart = string | number | Uint8Array;

export interface CachedTensor {
  dims: readonly number[];
  data: Float32Array;
}

const MAGIC = Buffer.from('REELF32\n', 'latin1');

/**
 * The sha256 (hex) of `parts`. Each part is tagged with its type and prefixed with its byte
 * length, so ('ab', 'c') and ('a', 'bc') — or the number 1 and the string '1' — never collide.
 */
export function contentKey(parts: readonly KeyPart[]): string {
  const hash = createHash('sha256');
  for (const part of parts) {
    const [tag, bytes] =
      typeof part === 'string'
        ? ['s', Buffer.from(part, 'utf8')]
        : typeof part === 'number'
          ? ['n', Buffer.from(String(part), 'utf8')]
          : ['b', part];
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(bytes.byteLength));
    hash.update(tag).update(length).update(bytes);
  }
  return hash.digest('hex');
}

/** `$REEL_CACHE_DIR`, else `$XDG_CACHE_HOME/reel`, else `~/.cache/reel`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REEL_CACHE_DIR) return env.REEL_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'reel');
}

/**
 * Puts between two scans when the running total stays under the cap: bounds how far the total
 * can drift from the truth while other processes fill the same folder (each entry is a few MiB).
 */
const RESCAN_EVERY_PUTS = 64;

export interface ContentCacheOptions {
  /**
   * Bytes of entries kept; past it the least recently used go. 0: the cache is off (no reads, no
   * writes). @defaultValue `REEL_CACHE_MAX`, else 2 GiB (a malformed value throws a UsageError).
   */
  maxBytes?: number;
}

export class ContentCache {
  readonly maxBytes: number;
  /** Bytes of entries at the last scan plus those put since; undefined before the first scan. */
  private knownBytes: number | undefined;
  private putsSinceScan = 0;
  /** Bytes put since the running scan began (the scan may not have seen them). */
  private putDuringTrim = 0;
  private trimming: Promise<void> | undefined;

  constructor(
    readonly dir: string,
    options: ContentCacheOptions = {},
  ) {
    this.maxBytes = options.maxBytes ?? cacheLimitFromEnv().maxBytes;
  }

  /** Two-level fan-out (`ab/abcdef…`) keeps folders small when the cache holds many entries. */
  pathFor(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  async get(key: string): Promise<CachedTensor | undefined> {
    if (this.maxBytes === 0) return undefined;
    const path = this.pathFor(key);
    const bytes = await readFile(path).catch(() => undefined);
    const tensor = bytes ? decodeEntry(bytes) : undefined;
    if (tensor) {
      // Recency is best effort: the entry may have been evicted since the read, or the folder be
      // read-only; either way the hit stands.
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
    }
    return tensor;
  }

  async put(key: string, tensor: CachedTensor): Promise<void> {
    const bytes = encodeEntry(tensor);
    // An entry larger than the whole cache would evict everything else and then itself.
    if (bytes.length > this.maxBytes) return;
    const path = this.pathFor(key);
    await writeAtomically(path, bytes);
    this.putsSinceScan++;
    if (this.knownBytes !== undefined) this.knownBytes += bytes.length;
    this.putDuringTrim += bytes.length;
    const due =
      this.knownBytes === undefined || this.knownBytes > this.maxBytes || this.putsSinceScan >= RESCAN_EVERY_PUTS;
    if (!due) return;
    this.trimming ??= this.trim(path).finally(() => {
      this.trimming = undefined;
    });
    await this.trimming;
  }

  /**
   * Scans the folder; over the cap, removes the least recently used down to 90% of it. The cache is
   * best effort: a scan or removal that fails (a folder another user made unreadable) leaves the
   * entries as they are and the stage runs on. Bytes put while the scan ran are added after it.
   */
  private async trim(justWritten: string): Promise<void> {
    this.putsSinceScan = 0;
    this.putDuringTrim = 0;
    try {
      const scan = await scanCache(this.dir);
      let bytes = scan.bytes;
      if (bytes > this.maxBytes) {
        const target = Math.floor(this.maxBytes * EVICT_TO_FRACTION);
        const evicted = await removeCacheFiles(leastRecentlyUsed(scan.entries, target, new Set([justWritten])));
        bytes -= evicted.bytesFreed;
      }
      await removeCacheFiles(scan.staleTemps);
      this.knownBytes = bytes + this.putDuringTrim;
    } catch {
      this.knownBytes ??= 0;
    }
  }
}

/**
 * Temp + rename. A concurrent `reel cache clean` may remove the fan-out folder between mkdir and
 * the write (it removes empty ones): the write then fails with ENOENT and is tried once more.
 */
async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, bytes);
      await rename(temp, path);
      return;
    } catch (error) {
      await rm(temp, { force: true });
      if (attempt < 2 && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
  }
}

function encodeEntry(tensor: CachedTensor): Buffer {
  const count = tensor.dims.reduce((a, b) => a * b, 1);
  if (count !== tensor.data.length) {
    throw new RangeError(
      `content cache: dims [${tensor.dims.join(', ')}] hold ${count} values, data has ${tensor.data.length}`,
    );
  }
  const header = Buffer.from(JSON.stringify({ dims: tensor.dims }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  const data = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return Buffer.concat([MAGIC, length, header, data]);
}

function decodeEntry(bytes: Buffer): CachedTensor | undefined {
  if (bytes.length < MAGIC.length + 4 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const headerLength = bytes.readUInt32LE(MAGIC.length);
  const start = MAGIC.length + 4 + headerLength;
  if (start > bytes.length) return undefined;
  let dims: unknown;
  try {
    dims = (JSON.parse(bytes.subarray(MAGIC.length + 4, start).toString('utf8')) as { dims?: unknown }).dims;
  } catch {
    return undefined;
  }
  if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) return undefined;
  const count = (dims as number[]).reduce((a, b) => a * b, 1);
  if (bytes.length - start !== count * 4) return undefined;
  // Copy into a fresh, aligned buffer: the file's data offset need not be a multiple of 4.
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(bytes.subarray(start));
  return { dims: dims as number[], data };
}
