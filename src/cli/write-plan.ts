/**
 * Before a run does any work: the files it will write must not land on what it must not replace.
 * `--trace`/`--metrics` (and `reel bench`'s reports) are written to a temp file renamed onto the
 * path, which would replace a device node, a symlink, a folder's place, an input of the run or
 * one of its outputs without a word; each of those is refused here, exit 2, naming the flag and
 * the fix — as is a file whose folder is missing or cannot be written, which would fail only after
 * the work. An output of the pipeline that would land on one of its inputs is refused the same way.
 */
import { constants } from 'node:fs';
import { access, lstat, realpath, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Issue, UsageError } from '../core/errors.ts';

export interface PlannedFile {
  /** How the user named it: `--trace`, `output "video"`. */
  what: string;
  file: string;
}

/** What a path is when it is not a regular file, in words; undefined for a file or nothing. */
async function notAFile(file: string): Promise<string | undefined> {
  const s = await lstat(file).catch(() => undefined);
  if (!s || s.isFile()) return undefined;
  if (s.isSymbolicLink()) return 'a symbolic link (reel would replace the link, not write through it)';
  if (s.isDirectory()) return 'a folder';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isFIFO()) return 'a pipe';
  if (s.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why a file cannot be made in `dir`, with the fix; undefined when it can. */
async function folderProblem(dir: string): Promise<string | undefined> {
  const s = await stat(dir).catch(() => undefined);
  if (!s?.isDirectory()) return `folder ${dir} does not exist — create it first`;
  const code = await access(dir, constants.W_OK).then(
    () => undefined,
    (err: NodeJS.ErrnoException) => err.code ?? 'EACCES',
  );
  if (code === 'EROFS') return `folder ${dir} is on a read-only file system — give a path elsewhere`;
  if (code) return `folder ${dir} is not writable (${code}) — give a path elsewhere`;
  return undefined;
}

/** The path as the file system resolves it (its folder's real path, for a file yet to be made). */
async function canonical(file: string): Promise<string> {
  const absolute = path.resolve(file);
  const real = await realpath(absolute).catch(() => undefined);
  if (real) return real;
  const dir = await realpath(path.dirname(absolute)).catch(() => path.dirname(absolute));
  return path.join(dir, path.basename(absolute));
}

/**
 * Problems with writing `extras` (report files a flag names) and `outputs` (the pipeline's files)
 * next to `inputs` (file per input name). Empty when the plan is safe.
 */
export async function writePlanIssues(
  extras: readonly PlannedFile[],
  outputs: readonly PlannedFile[],
  inputs: Readonly<Record<string, string>>,
): Promise<Issue[]> {
  const issues: Issue[] = [];
  for (const { what, file } of extras) {
    const kind = await notAFile(file);
    if (kind) issues.push({ message: `${what} ${file}: is ${kind} — give the path of a new or regular file` });
    const folder = await folderProblem(path.dirname(path.resolve(file)));
    if (folder) issues.push({ message: `${what} ${file}: ${folder}` });
  }
  const taken = new Map<string, string>();
  for (const [name, file] of Object.entries(inputs)) taken.set(await canonical(file), `input "${name}" of this run`);
  for (const { what, file } of [...outputs, ...extras]) {
    const key = await canonical(file);
    const holder = taken.get(key);
    if (holder) {
      const fix = what.startsWith('--') ? `give ${what} another path` : 'give --out another folder';
      issues.push({ message: `${what} ${file}: is ${holder}; writing it would replace that file — ${fix}` });
    } else taken.set(key, what);
  }
  return issues;
}

/**
 * Writes `text` to `file` as a command's `flag` names it (`-o`): refused before writing where the
 * plan refuses it (a device, a folder, a missing or read-only folder), and a write that fails
 * anyway (a full disk, a read-only file) is one line naming the flag.
 */
export async function writeFlagFile(flag: string, file: string, text: string): Promise<void> {
  const issues = await writePlanIssues([{ what: flag, file }], [], {});
  if (issues.length > 0) throw new ConfigError(issues);
  await writeFile(file, text).catch((err: NodeJS.ErrnoException) => {
    throw new UsageError(`${flag} ${file}: cannot write (${err.code ?? err.message}) — give another path`);
  });
}
