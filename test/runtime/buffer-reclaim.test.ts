import { describe, expect, it } from 'vitest';
import { reclaimBuffersIfGrown, startBufferReclaim } from '../../src/runtime/buffer-reclaim.ts';

const MiB = 2 ** 20;
const nextTask = () => new Promise((resolve) => setImmediate(resolve));

/** Dead chunk buffers and weak references to them (a WeakRef's target stays alive to the end of the task). */
function deadChunks(count: number): WeakRef<ArrayBuffer>[] {
  return Array.from({ length: count }, (_, i) => new WeakRef(new Float32Array(MiB / 4).fill(i).buffer));
}

describe('buffer reclaim', () => {
  it('collects dead chunk buffers on demand once they pass the threshold, without waiting for its timer', async () => {
    // 3 MiB of dead buffers: far below what makes V8 collect by itself.
    const stop = startBufferReclaim({ reclaimBytes: 2 * MiB, intervalMs: 3_600_000 });
    try {
      const refs = deadChunks(3);
      await nextTask();
      reclaimBuffersIfGrown();
      expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    } finally {
      stop();
    }
  });

  it('does not collect below the threshold, and keeps buffers still referenced', async () => {
    const stop = startBufferReclaim({ reclaimBytes: 64 * MiB, intervalMs: 3_600_000 });
    try {
      const live = Array.from({ length: 3 }, (_, i) => new Float32Array(MiB / 4).fill(i));
      const refs = deadChunks(3);
      await nextTask();
      reclaimBuffersIfGrown();
      expect(refs.filter((ref) => ref.deref() !== undefined)).toHaveLength(3);
      startBufferReclaim({ reclaimBytes: 1, intervalMs: 3_600_000 })();
      reclaimBuffersIfGrown();
      expect(live.every((chunk, i) => chunk[MiB / 4 - 1] === i)).toBe(true);
    } finally {
      stop();
    }
  });
});
