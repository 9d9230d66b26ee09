/**
 * An output file that appears under its final name only when complete: everything is written to
 * a hidden temp name in the same folder (so the rename cannot cross file systems) and renamed
 * onto the final name on success; on failure or abort the temp file is removed.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { MediaError } from '../core/errors.ts';

export interface AtomicOutput {
  /** Absolute final path. */
  readonly path: string;
  /** Absolute temp path in the same folder; write here. */
  readonly tempPath: string;
  /** Renames the temp file onto the final name. */
  commit(): Promise<void>;
  /** Removes the temp file, if any. Never throws. */
  discard(): Promise<void>;
}

export async function atomicOutput(file: string): Promise<AtomicOutput> {
  const path = resolve(file);
  const dir = dirname(path);
  try {
    if (!(await stat(dir)).isDirectory()) throw new MediaError(file, `output folder ${dir} is not a folder`);
  } catch (err) {
    if (err instanceof MediaError) throw err;
    throw new MediaError(file, `output folder ${dir} does not exist`, { cause: err });
  }
  const tempPath = join(dir, `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  return {
    path,
    tempPath,
    async commit() {
      try {
        await rename(tempPath, path);
      } catch (err) {
        await rm(tempPath, { force: true });
        throw new MediaError(file, `could not move the finished file into place: ${(err as Error).message}`, {
          cause: err,
        });
      }
    },
    async discard() {
      await rm(tempPath, { force: true }).catch(() => {});
    },
  };
}
