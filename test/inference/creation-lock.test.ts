/**
 * The session-creation lock is shared by all threads; a worker that dies holding it (terminated
 * mid-creation) must not leave it held for ever.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { creationLockBuffer, releaseCreationLockOf, withCreationLock } from '../../src/inference/creation-lock.ts';

describe('session-creation lock', () => {
  it('serialises holders, and is freed when a worker holding it is gone', async () => {
    const order: string[] = [];
    await Promise.all([
      withCreationLock(async () => {
        order.push('a+');
        await new Promise((r) => setTimeout(r, 30));
        order.push('a-');
      }),
      withCreationLock(async () => {
        order.push('b+');
        order.push('b-');
      }),
    ]);
    expect(order).toEqual(['a+', 'a-', 'b+', 'b-']);

    // A worker takes the lock the way acquire() does (its thread id + 1), then never lets go.
    const worker = new Worker(
      `const { workerData, threadId, parentPort } = require('node:worker_threads');
       const cell = new Int32Array(workerData);
       Atomics.compareExchange(cell, 0, 0, threadId + 1);
       parentPort.postMessage('holding');
       setInterval(() => {}, 1000);`,
      { eval: true, workerData: creationLockBuffer() },
    );
    await new Promise((resolve) => worker.once('message', resolve));
    const threadId = worker.threadId;
    let got = false;
    const waiting = withCreationLock(async () => {
      got = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toBe(false); // held by the worker
    await worker.terminate();
    releaseCreationLockOf(threadId);
    await waiting;
    expect(got).toBe(true);
  });
});
