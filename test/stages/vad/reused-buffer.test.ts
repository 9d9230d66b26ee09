/**
 * The VAD's reused buffers: one array lent again and again (no allocation per item), zeroed at
 * every loan, and never the same array to two loans that overlap.
 */
import { describe, expect, it } from 'vitest';
import { ReusedFloat32 } from '../../../stages/vad/reused-buffer.ts';

describe('ReusedFloat32', () => {
  it('lends the same memory from call to call, zeroed each time, grown when asked for more', async () => {
    const reused = new ReusedFloat32();
    const first = await reused.with(1000, async (data) => {
      data.fill(7);
      return data.buffer;
    });
    const second = await reused.with(800, async (data) => {
      expect(data).toHaveLength(800);
      expect(data.every((v) => v === 0)).toBe(true);
      return data.buffer;
    });
    expect(second).toBe(first);
    const larger = await reused.with(5000, async (data) => {
      expect(data).toHaveLength(5000);
      return data.buffer;
    });
    expect(larger).not.toBe(first);
  });

  it('gives a loan that overlaps another an array of its own', async () => {
    const reused = new ReusedFloat32();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const outer = reused.with(100, async (a) => {
      a.fill(1);
      await held;
      // The inner loan wrote into its own array: this one still holds what was put here.
      expect(a.every((v) => v === 1)).toBe(true);
      return a.buffer;
    });
    const inner = await reused.with(100, async (b) => {
      b.fill(2);
      return b.buffer;
    });
    release();
    expect(await outer).not.toBe(inner);
    // Once both are back, the reused memory is lent again, and the loan that overlapped was not it.
    expect(await reused.with(100, async (c) => c.buffer)).toBe(await outer);
  });

  it('takes the buffer back when the user fails', async () => {
    const reused = new ReusedFloat32();
    const first = await reused.with(10, async (d) => d.buffer);
    await expect(reused.with(10, async () => Promise.reject(new Error('model failed')))).rejects.toThrow(
      'model failed',
    );
    expect(await reused.with(10, async (d) => d.buffer)).toBe(first);
  });
});
