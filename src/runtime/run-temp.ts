/**
 * A run's temporary folder: `<tmp>/reel-run-<pid>-<random>`, removed when the run settles. A
 * process killed with SIGKILL cannot remove its own, so every process sweeps, once, the folders
 * whose pid is no longer alive on this host before it makes its first (and ONNX Runtime's debug
 * logs of gone processes that hold nothing asked for, see inference/ort-debug-files.ts).
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepDebugLogs } from '../inference/ort-debug-files.ts';

const PREFIX = 'reel-run-';
let swept: Promise<void> | undefined;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/** Removes the run folders of processes that are gone (ignores what it cannot read or remove). */
export async function sweepDeadRunFolders(base = tmpdir()): Promise<string[]> {
  const names = await readdir(base).catch(() => [] as string[]);
  const dead = names.filter((name) => {
    const m = /^reel-run-(\d+)-/.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  await Promise.all(dead.map((name) => rm(join(base, name), { recursive: true, force: true }).catch(() => undefined)));
  return dead;
}

/** A new run folder (after this process's one sweep, which takes ONNX Runtime's stray logs too). */
export async function makeRunFolder(): Promise<string> {
  swept ??= Promise.all([sweepDeadRunFolders(), sweepDebugLogs(alive)]).then(() => undefined);
  await swept;
  return mkdtemp(join(tmpdir(), `${PREFIX}${process.pid}-`));
}
