/**
 * A content-addressed store of float32 tensors on disk: key parts → sha256 → one file under the
 * cache folder. Writes go to a temporary name and are renamed into place, so a reader never sees
 * a half-written entry and two processes filling the same key race harmlessly (the last rename
 * wins, and both wrote the same bytes). A file that does not parse is a miss, never an error:
 * the caller recomputes and overwrites it.
 *
 * File layout (little-endian): magic `REELF32\n`, u32 header length, UTF-8 JSON `{ "dims": [...] }`,
 * then the float32 data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

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

export class ContentCache {
  constructor(readonly dir: string) {}

  /** Two-level fan-out (`ab/abcdef…`) keeps folders small when the cache holds many entries. */
  pathFor(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.f32`);
  }

  async get(key: string): Promise<CachedTensor | undefined> {
    const bytes = await readFile(this.pathFor(key)).catch(() => undefined);
    return bytes ? decodeEntry(bytes) : undefined;
  }

  async put(key: string, tensor: CachedTensor): Promise<void> {
    const path = this.pathFor(key);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, encodeEntry(tensor));
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
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
