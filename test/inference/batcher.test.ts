/**
 * Dynamic batching: batches never exceed max, a lone request waits at most delayMs, results go
 * back to their callers in order, and batched runs of a real model equal unbatched ones.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import type { TensorData } from '../../src/core/types.ts';
import { DynamicBatcher } from '../../src/inference/batcher.ts';
import { concatBatch, padAxis, splitBatch, trimAxis } from '../../src/inference/tensor-batch.ts';

describe('DynamicBatcher', () => {
  it('groups concurrent requests into batches of at most max, results in caller order', async () => {
    const sizes: number[] = [];
    const batcher = new DynamicBatcher<number, number>({
      max: 4,
      delayMs: 20,
      run: async (xs) => xs.map((x) => x * 10),
      onBatch: (n) => sizes.push(n),
    });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => batcher.submit(i)));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i * 10));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
    expect(sizes[0]).toBe(4); // a full batch goes at once, without waiting for the delay
  });

  it('a lone request runs after delayMs, not never', async () => {
    const batcher = new DynamicBatcher<number, number>({ max: 8, delayMs: 30, run: async (xs) => xs });
    const started = performance.now();
    expect(await batcher.submit(7)).toBe(7);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('a request that waited through a running batch goes as soon as that batch ends (its deadline counts from arrival)', async () => {
    const run = (xs: number[]) => new Promise<number[]>((resolve) => setTimeout(() => resolve(xs), 100));
    const batcher = new DynamicBatcher<number, number>({ max: 4, delayMs: 80, run });
    const t0 = performance.now();
    const first = batcher.submit(1).then(() => performance.now() - t0); // runs at ~80 ms, ends ~180 ms
    await new Promise((r) => setTimeout(r, 90));
    const second = batcher.submit(2).then(() => performance.now() - t0); // due at ~170 ms, during the run
    const [a, b] = await Promise.all([first, second]);
    // Dispatched right after the first batch (≈ a + 100 ms), not a full delay later (≈ a + 180 ms).
    expect(b - a).toBeLessThan(150);
  });

  it('a failed batch rejects every request in it, and the batcher keeps working', async () => {
    let calls = 0;
    const batcher = new DynamicBatcher<number, number>({
      max: 2,
      delayMs: 1,
      run: async (xs) => {
        if (calls++ === 0) throw new Error('boom');
        return xs;
      },
    });
    const first = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(await batcher.submit(3)).toBe(3);
  });
});

describe('tensor batching', () => {
  const t = (n: number, fill: number): TensorData => ({
    dtype: 'float32',
    dims: [n, 2, 3],
    data: new Float32Array(n * 6).fill(fill),
  });

  it('concat then split is the identity', () => {
    const parts = [t(1, 1), t(3, 2), t(2, 3)];
    const joined = concatBatch(parts);
    expect(joined.dims).toEqual([6, 2, 3]);
    expect(splitBatch(joined, [1, 3, 2])).toEqual(parts);
  });

  it('refuses tensors that differ past the batch axis', () => {
    expect(() => concatBatch([t(1, 0), { dtype: 'float32', dims: [1, 3, 2], data: new Float32Array(6) }])).toThrow(
      /all but the first axis/,
    );
  });

  it('pads an axis with zeros and trims it back', () => {
    const x: TensorData = { dtype: 'float32', dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
    const padded = padAxis(x, 1, 5);
    expect(Array.from(padded.data as Float32Array)).toEqual([1, 2, 3, 0, 0, 4, 5, 6, 0, 0]);
    expect(trimAxis(padded, 1, 3)).toEqual(x);
  });

  it('a batched run of the wav2lip reference model equals the same items run one by one', async () => {
    const session = await ort.InferenceSession.create(await ensureReferenceModel('wav2lip', 'tiny'), {
      logSeverityLevel: 3,
      intraOpNumThreads: 1,
    });
    const item = (seed: number) => ({
      mel_spectrogram: {
        dtype: 'float32',
        dims: [1, 1, 80, 16],
        data: Float32Array.from({ length: 1280 }, (_, i) => Math.sin(i * 0.01 * seed)),
      } as TensorData,
      video_frames: {
        dtype: 'float32',
        dims: [1, 6, 96, 96],
        data: Float32Array.from({ length: 6 * 96 * 96 }, (_, i) => ((i * seed) % 97) / 97),
      } as TensorData,
    });
    const run = async (feeds: Record<string, TensorData>) => {
      const out = await session.run(
        Object.fromEntries(
          Object.entries(feeds).map(([k, v]) => [k, new ort.Tensor(v.dtype, v.data as Float32Array, v.dims)]),
        ),
      );
      return { dtype: 'float32', dims: out.output.dims, data: out.output.data as Float32Array } as TensorData;
    };
    const items = [1, 2, 3, 4, 5].map(item);
    const single = await Promise.all(items.map(run));
    const batched = splitBatch(
      await run({
        mel_spectrogram: concatBatch(items.map((i) => i.mel_spectrogram)),
        video_frames: concatBatch(items.map((i) => i.video_frames)),
      }),
      [1, 1, 1, 1, 1],
    );
    for (let i = 0; i < items.length; i++) {
      const a = single[i].data as Float32Array;
      const b = batched[i].data as Float32Array;
      let max = 0;
      for (let j = 0; j < a.length; j++) max = Math.max(max, Math.abs(a[j] - b[j]));
      expect(max).toBeLessThan(1e-5);
    }
    await session.release();
  });
});
