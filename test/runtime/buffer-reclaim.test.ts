import { describe, expect, it } from 'vitest';
import { noteSharedBytes, reclaimBuffersIfGrown, startBufferReclaim } from '../../src/runtime/buffer-reclaim.ts';

const MiB = 2 ** 20;
const nextTask = () => new Promise((resolve) => setImmediate(resolve));
const chunk = (i: number) => new Float32Array(MiB / 4).fill(i);

/** V8 frees collected buffers' memory from a background sweeper: give it a moment. */
async function settledBufferBytes(): Promise<number> {
  let last = process.memoryUsage().arrayBuffers;
  for (let i = 0; i < 40; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = process.memoryUsage().arrayBuffers;
    if (now === last) return now;
    last = now;
  }
  return last;
}

describe('buffer reclaim', () => {
  it('frees dead young chunk buffers once they pass the threshold, without waiting for its timer', async () => {
    // 6 MiB of dead buffers: far below what makes V8 collect by itself.
    const stop = startBufferReclaim({ reclaimBytes: 2 * MiB, intervalMs: 3_600_000 });
    try {
      const before = await settledBufferBytes();
      for (let i = 0; i < 6; i++) chunk(i);
      expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThanOrEqual(6 * MiB);
      reclaimBuffersIfGrown();
      expect((await settledBufferBytes()) - before).toBeLessThan(2 * MiB);
    } finally {
      stop();
    }
  });

  it('also frees buffers that lived long enough to be promoted, within a few collections', async () => {
    const stop = startBufferReclaim({ reclaimBytes: 2 * MiB, intervalMs: 3_600_000 });
    try {
      let held: Float32Array[] | undefined = Array.from({ length: 4 }, (_, i) => chunk(i));
      const refs = held.map((c) => new WeakRef(c.buffer));
      // Young garbage makes each call collect; the held chunks survive and are promoted.
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) chunk(j);
        reclaimBuffersIfGrown();
        await nextTask();
      }
      expect(held.every((c, i) => c[0] === i)).toBe(true);
      held = undefined;
      // Every fifth collection is a full one: up to six of them (on a loaded machine one full
      // collection has been seen to leave promoted buffers for the next).
      for (let i = 0; i < 30 && refs.some((r) => r.deref()); i++) {
        for (let j = 0; j < 3; j++) chunk(j);
        await nextTask();
        reclaimBuffersIfGrown();
        await nextTask();
      }
      expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
    } finally {
      stop();
    }
  });

  it('counts shared memory a thread was handed, which V8 does not: past 4× the threshold, a minor collection', async () => {
    const stop = startBufferReclaim({ reclaimBytes: 2 * MiB, intervalMs: 3_600_000 });
    try {
      const before = await settledBufferBytes();
      // 1 MiB of dead shared buffers, below the threshold: as a worker's handles to received chunks.
      for (let i = 0; i < 4; i++) new Float32Array(new SharedArrayBuffer(MiB / 4));
      reclaimBuffersIfGrown();
      noteSharedBytes(7 * MiB);
      reclaimBuffersIfGrown(); // 7 MiB handed: not yet 4 × 2 MiB
      expect((await settledBufferBytes()) - before).toBeGreaterThanOrEqual(MiB);
      noteSharedBytes(2 * MiB);
      reclaimBuffersIfGrown();
      expect((await settledBufferBytes()) - before).toBeLessThan(MiB / 2);
    } finally {
      stop();
    }
  });

  it('keeps buffers still referenced', async () => {
    const stop = startBufferReclaim({ reclaimBytes: 1, intervalMs: 3_600_000 });
    try {
      const live = Array.from({ length: 3 }, (_, i) => chunk(i));
      for (let i = 0; i < 6; i++) {
        chunk(9);
        reclaimBuffersIfGrown();
        await nextTask();
      }
      expect(live.every((c, i) => c.length === MiB / 4 && c[MiB / 4 - 1] === i)).toBe(true);
    } finally {
      stop();
    }
  });
});
