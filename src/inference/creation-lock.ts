/**
 * A process-wide lock around session creation. TensorRT settings travel in environment variables,
 * which all threads share, so two stages (in two worker threads) must never create sessions at
 * the same time. The lock is one Int32 in a SharedArrayBuffer that the runtime hands to every
 * stage worker; waiting uses Atomics.waitAsync, so no thread's event loop blocks.
 */
import { threadId } from 'node:worker_threads';

let cell = new Int32Array(new SharedArrayBuffer(4));
/** The cell holds 0 when free, else the holder's thread id + 1 (so a dead holder can be found). */
const me = threadId + 1;

/** The buffer to pass to worker threads (workerData), so they all share one lock. */
export function creationLockBuffer(): SharedArrayBuffer {
  return cell.buffer as SharedArrayBuffer;
}

/** Called in a worker with the buffer from its parent. */
export function useCreationLockBuffer(buffer: SharedArrayBuffer): void {
  cell = new Int32Array(buffer);
}

async function acquire(): Promise<void> {
  for (;;) {
    const holder = Atomics.compareExchange(cell, 0, 0, me);
    if (holder === 0) return;
    const wait = Atomics.waitAsync(cell, 0, holder, 1000);
    if (wait.async) await wait.value;
  }
}

function release(): void {
  Atomics.store(cell, 0, 0);
  Atomics.notify(cell, 0, 1);
}

export async function withCreationLock<T>(fn: () => Promise<T>): Promise<T> {
  await acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}

/**
 * Frees the lock if the worker thread `workerThreadId` holds it: a worker terminated in the middle
 * of creating a session (a run stopped during start-up) would otherwise hold it for ever.
 */
export function releaseCreationLockOf(workerThreadId: number): void {
  if (Atomics.compareExchange(cell, 0, workerThreadId + 1, 0) === workerThreadId + 1) Atomics.notify(cell, 0, 1);
}
