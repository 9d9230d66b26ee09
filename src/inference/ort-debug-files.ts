/**
 * The linux-x64 build of ONNX Runtime that onnxruntime-node ships creates an empty
 * `mat-debug-<pid>.log` in TMPDIR when a process makes its first session (its telemetry layer's
 * debug log), and never removes it: a day of use left over a thousand in /tmp. reel removes its
 * own once its first session exists (only while it holds nothing: a log with content is kept for
 * whoever asked for it), and those of processes that are gone (see runtime/run-temp.ts).
 * Its telemetry layer also writes its own failures there — `…|E|EventsSDK.Storage|Failed to store
 * event …` when processes at once find its event database locked, at their exit, when nothing can
 * remove them any more: a log of such lines only is swept like an empty one.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = /^mat-debug-(\d+)\.log$/;

let removedOwn: Promise<void> | undefined;

/** A line ONNX Runtime's telemetry SDK logs about itself (`<time>|<tid>|<level>|EventsSDK.<part>|…`). */
const TELEMETRY_LINE = /^[^|]*\|[^|]*\|[A-Z]\|EventsSDK\.[A-Za-z]+\|/;
/** Logs longer than this are not read: nothing of the telemetry's own is that long. */
const TELEMETRY_MAX_BYTES = 1 << 20;

/** Whether a debug log's content is nothing anyone asked for: empty, or telemetry lines only. */
export function isTelemetryNoise(content: string): boolean {
  return content.split('\n').every((line) => line.trim() === '' || TELEMETRY_LINE.test(line));
}

async function removeIfNoise(file: string): Promise<boolean> {
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile()) return false;
  if (s.size > 0) {
    if (s.size > TELEMETRY_MAX_BYTES) return false;
    const content = await readFile(file, 'utf8').catch(() => undefined);
    if (content === undefined || !isTelemetryNoise(content)) return false;
  }
  await rm(file, { force: true }).catch(() => undefined);
  return true;
}

/** After the process's first session: its own empty debug log goes (once per process). */
export function removeOwnDebugLog(): Promise<void> {
  removedOwn ??= removeIfNoise(join(tmpdir(), `mat-debug-${process.pid}.log`)).then(() => undefined);
  return removedOwn;
}

/**
 * The same, synchronously, for a process's 'exit' handler: a session made where removeOwnDebugLog
 * was not called (a thread that ended first) leaves nothing either.
 */
export function removeOwnDebugLogSync(): void {
  const file = join(tmpdir(), `mat-debug-${process.pid}.log`);
  try {
    const s = statSync(file);
    if (!s.isFile() || s.size > TELEMETRY_MAX_BYTES) return;
    if (s.size === 0 || isTelemetryNoise(readFileSync(file, 'utf8'))) rmSync(file, { force: true });
  } catch {
    // none, or not ours to read
  }
}

/** Debug logs of processes for which `alive` is false, in `base`, that are empty or telemetry noise; the names removed. */
export async function sweepDebugLogs(alive: (pid: number) => boolean, base = tmpdir()): Promise<string[]> {
  const names = (await readdir(base).catch(() => [] as string[])).filter((name) => {
    const m = NAME.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  const removed = await Promise.all(names.map((name) => removeIfNoise(join(base, name))));
  return names.filter((_, i) => removed[i]);
}
