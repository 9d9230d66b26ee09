/**
 * The linux-x64 build of ONNX Runtime that onnxruntime-node ships creates an empty
 * `mat-debug-<pid>.log` in TMPDIR when a process makes its first session (its telemetry layer's
 * debug log), and never removes it: a day of use left over a thousand in /tmp. reel removes its
 * own once its first session exists and, from the CLI, at its exit; and those of processes that
 * are gone (see runtime/run-temp.ts). Only logs that hold nothing anyone asked for go: empty ones,
 * and ones of the telemetry's own errors only — `…|E|EventsSDK.Storage|Failed to store event …`,
 * written when processes at once find its event store (one per user, under ~/.cache) locked, at
 * their exit. A log with anything else is kept for whoever asked for it.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const NAME = /^mat-debug-(\d+)\.log$/;

let removedOwn: Promise<void> | undefined;
let removingAtExit = false;

/** An error ONNX Runtime's telemetry SDK logs about itself (`<time>|<tid>|E|EventsSDK.<part>|…`). */
const TELEMETRY_ERROR = /^[^|]*\|[^|]*\|E\|EventsSDK\.[A-Za-z]+\|/;
/** Logs longer than this are not read: the telemetry's own errors are a few lines. */
const TELEMETRY_MAX_BYTES = 64 * 1024;

/** Whether a debug log's content is nothing anyone asked for: empty, or telemetry errors only. */
export function isTelemetryNoise(content: string): boolean {
  return content.split('\n').every((line) => line.trim() === '' || TELEMETRY_ERROR.test(line));
}

const ownLog = () => join(tmpdir(), `mat-debug-${process.pid}.log`);

/**
 * Whether a log of `size` bytes holds nothing anyone asked for: empty, or telemetry errors only
 * (its text, read only then; a log too long to be those is kept unread).
 */
function holdsNothingAsked(file: string, size: number): boolean {
  if (size === 0) return true;
  if (size > TELEMETRY_MAX_BYTES) return false;
  try {
    return isTelemetryNoise(readFileSync(file, 'utf8'));
  } catch {
    return false; // not ours to read
  }
}

async function removeIfNoise(file: string): Promise<boolean> {
  const s = await stat(file).catch(() => undefined);
  if (!s?.isFile() || !holdsNothingAsked(file, s.size)) return false;
  await rm(file, { force: true }).catch(() => undefined);
  return true;
}

/** After the thread's first session: the process's own debug log goes (once per thread). */
export function removeOwnDebugLog(): Promise<void> {
  removedOwn ??= removeIfNoise(ownLog()).then(() => undefined);
  return removedOwn;
}

function removeOwnDebugLogSync(): void {
  const file = ownLog();
  try {
    const s = statSync(file, { throwIfNoEntry: false });
    if (s?.isFile() && holdsNothingAsked(file, s.size)) rmSync(file, { force: true });
  } catch {
    // not ours to remove: an exit handler must not throw
  }
}

/**
 * For the CLI (library code leaves process handlers alone): the process's own debug log goes at
 * its exit too, should a session have made it where removeOwnDebugLog did not run.
 */
export function removeOwnDebugLogAtExit(): void {
  if (removingAtExit) return;
  removingAtExit = true;
  process.once('exit', removeOwnDebugLogSync);
}

/** The debug logs of processes for which `alive` is false, in `base`, that hold nothing asked for; the names removed. */
export async function sweepDebugLogs(alive: (pid: number) => boolean, base = tmpdir()): Promise<string[]> {
  const names = (await readdir(base).catch(() => [] as string[])).filter((name) => {
    const m = NAME.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !alive(Number(m[1]));
  });
  // One at a time: a /tmp of a thousand of them must not open a thousand files at once.
  const removed: string[] = [];
  for (const name of names) if (await removeIfNoise(join(base, name))) removed.push(name);
  return removed;
}
