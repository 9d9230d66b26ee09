/**
 * Creating `--out` (and the folders inside it that reel keeps), one level at a time. Node's own
 * `mkdir(dir, { recursive: true })` is not used for a folder the user named: on a read-only file
 * system it reports ENOENT instead of EROFS, and under /proc it never returns (it retries the
 * parent's ENOENT for ever, Node 20). A folder that cannot be made is a UsageError (exit 2,
 * nothing has run) naming --out, the folder and why.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';

const WHY: Readonly<Record<string, string>> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  // The parent exists, yet the folder cannot be made in it: /proc, /sys and the like.
  ENOENT: 'this file system takes no new folders there',
};

/** Makes `dir` (inside or equal to `outDir`, the folder the user named) and any folder above it. */
export async function makeOutputFolder(dir: string, outDir: string = dir): Promise<void> {
  const attempt = () =>
    mkdir(dir).then(
      () => undefined,
      (err: NodeJS.ErrnoException) => err,
    );
  let err = await attempt();
  if (err?.code === 'ENOENT' && path.dirname(dir) !== dir) {
    await makeOutputFolder(path.dirname(dir), outDir);
    err = await attempt();
  }
  if (!err) return;
  if (err.code === 'EEXIST') {
    if ((await stat(dir)).isDirectory()) return;
    err.code = 'ENOTDIR';
  }
  const file = err.code === 'ENOTDIR' ? await fileAbove(dir) : undefined;
  const what =
    file || path.resolve(dir) === path.resolve(outDir)
      ? 'cannot create it'
      : isInside(dir, outDir)
        ? 'cannot write in it'
        : `cannot create folder ${dir}`;
  const why = file ? `${file} is a file, not a folder` : (WHY[err.code ?? ''] ?? err.code ?? err.message);
  throw new UsageError(`--out ${outDir}: ${what}: ${why} — give --out a folder you can write to`, { cause: err });
}

/** The first of `dir` and the folders above it that exists and is not a folder. */
async function fileAbove(dir: string): Promise<string | undefined> {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const s = await stat(at).catch(() => undefined);
    if (s && !s.isDirectory()) return at;
    if (path.dirname(at) === at) return undefined;
  }
}

function isInside(dir: string, outDir: string): boolean {
  const rel = path.relative(path.resolve(outDir), path.resolve(dir));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
