/**
 * An output file that appears under its final name only when complete: everything is written to
 * a hidden temp name in the same folder (so the rename cannot cross file systems) and renamed
 * onto the final name on success; on failure or abort the temp file is removed.
 */
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
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
  // (PARTIAL_NAME below recognises this name.)
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

/** The temp name atomicOutput gives a file: `.<name>.<pid>-<8 hex>.partial`. */
const PARTIAL_NAME = /^\..+\.\d+-[0-9a-f]{8}\.partial$/;

/**
 * Removes the temp files of outputs never committed (a run killed with SIGKILL) from `dir`, and
 * from its subfolders with `recursive`. Only for a folder this process holds (its lock): a live
 * run's temp files would go too. Files it cannot remove are left.
 */
export async function removePartialOutputs(dir: string, recursive = false): Promise<void> {
  const entries = await readdir(dir, { recursive, withFileTypes: true }).catch(() => []);
  await Promise.all(
    entries
      .filter((e) => e.isFile() && PARTIAL_NAME.test(e.name))
      .map((e) => rm(join(e.parentPath, e.name), { force: true }).catch(() => undefined)),
  );
}
