/**
 * A process-wide lock around session creation. TensorRT settings travel in environment variables,
 * which all threads share, so two stages (in two worker threads) must never create sessions at
 * the same time. The lock is one Int32 in a SharedArrayBuffer that the runtime hands to every
 * stage worker; waiting uses Atomics.waitAsync, so no thread's event loop blocks.
 */
let cell = new Int32Array(new SharedArrayBuffer(4));

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
    if (Atomics.compareExchange(cell, 0, 0, 1) === 0) return;
    const wait = Atomics.waitAsync(cell, 0, 1, 1000);
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
