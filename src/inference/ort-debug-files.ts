/**
 * The linux-x64 build of ONNX Runtime that onnxruntime-node ships creates an empty
 * `mat-debug-<pid>.log` in TMPDIR when a process makes its first session (its telemetry layer's
 * debug log), and never removes it: a day of use left over a thousand in /tmp. reel removes its
 * own once its first session exists (only while it is empty: a log with content is kept for
 * whoever asked for it), and the empty ones of processes that are gone (see runtime/run-temp.ts).
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = /^mat-debug-(\d+)\.log$/;

let removedOwn: Promise<void> | undefined;

async function removeIfEmpty(file: string): Promise<boolean> {
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile() || s.size > 0) return false;
  await rm(file, { force: true }).catch(() => undefined);
  return true;
}

/** After the process's first session: its own empty debug log goes (once per process). */
export function removeOwnDebugLog(): Promise<void> {
  removedOwn ??= removeIfEmpty(join(tmpdir(), `mat-debug-${process.pid}.log`)).then(() => undefined);
  return removedOwn;
}

/** Empty debug logs of processes for which `alive` is false, in `base`; the names removed. */
export async function sweepDebugLogs(alive: (pid: number) => boolean, base = tmpdir()): Promise<string[]> {
  const names = (await readdir(base).catch(() => [] as string[])).filter((name) => {
    const m = NAME.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  const removed = await Promise.all(names.map((name) => removeIfEmpty(join(base, name))));
  return names.filter((_, i) => removed[i]);
}
