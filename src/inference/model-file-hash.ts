/**
 * sha256 of a model file, for cache keys. Hashing a multi-gigabyte T5 export on every prompt
 * would cost more than encoding it, so the digest is remembered per (path, size, mtime, inode):
 * a file rewritten in place or replaced by a rename (a new inode) is hashed again.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { ModelError } from '../core/errors.ts';

const remembered = new Map<string, { stamp: string; digest: Promise<string> }>();

export async function modelFileHash(path: string): Promise<string> {
  const info = await stat(path).catch((error: Error) => {
    throw new ModelError(path, `cannot read the model file: ${error.message}`, { cause: error });
  });
  const stamp = `${info.size}:${info.mtimeMs}:${info.ino}`;
  const known = remembered.get(path);
  if (known && known.stamp === stamp) return known.digest;
  const digest = new Promise<string>((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (error) =>
        reject(new ModelError(path, `cannot read the model file: ${error.message}`, { cause: error })),
      )
      .on('end', () => resolve(hash.digest('hex')));
  });
  remembered.set(path, { stamp, digest });
  digest.catch(() => remembered.delete(path));
  return digest;
}
