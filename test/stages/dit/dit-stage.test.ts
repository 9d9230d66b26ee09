/**
 * The dit stage created as the runtime creates it: embeddings packet in, one latents packet out
 * (same chunk, the video size in meta), sizes checked before any session exists, cancellation;
 * a video longer than the window comes as one packet per window, each window continuing the last.
 */
import { describe, expect, it } from 'vitest';
import { CancelledError, ConfigError, InputError } from '../../../src/core/errors.ts';
import type { TensorPacket } from '../../../src/core/types.ts';
import { dit } from '../../../stages/dit/index.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';
import { testContext } from '../../helpers/stage-harness.ts';
import { chunk0, chunkItem, createStage, runItem } from '../text-to-video/stage-harness.ts';

const SMALL = { steps: 3, frames: 9, width: 64, height: 48 };
const [L, D] = [12, 32]; // D: the tiny reference DiT's text width
function embeddings(seed: number, clipId = 'clip'): TensorPacket {
  return {
    kind: 'tensor',
    chunk: chunk0(clipId),
    name: 'text-embeddings',
    tensor: { dtype: 'float32', dims: [2, L, D], data: gaussianNoise(2 * L * D, seed) },
  };
}

describe('dit stage', () => {
  it('denoises one embeddings packet into latents [1, (F − 1)/4 + 1, 16, H/8, W/8] on the same chunk', async () => {
    const { instance, logs } = await createStage(dit, SMALL, { warmup: 1 });
    try {
      const out = await runItem(instance, chunkItem('embeddings', embeddings(1, 'clip-x')));
      expect(out.map((o) => o.port)).toEqual(['latents']);
      const packet = out[0].packet as TensorPacket;
      expect(packet.name).toBe('latents');
      expect(packet.tensor.dims).toEqual([1, 3, 16, 6, 8]);
      expect(packet.chunk).toEqual(chunk0('clip-x'));
      expect(packet.meta).toMatchObject({ frames: 9, width: 64, height: 48 });
      expect((packet.tensor.data as Float32Array).every(Number.isFinite)).toBe(true);
      expect(logs).toEqual(['stage "dit": provider cpu']);
      // Same seed, same embeddings: the same latents, bit for bit; other embeddings move them.
      const again = (await runItem(instance, chunkItem('embeddings', embeddings(1))))[0].packet as TensorPacket;
      expect(
        Buffer.compare(
          Buffer.from((again.tensor.data as Float32Array).buffer),
          Buffer.from((packet.tensor.data as Float32Array).buffer),
        ),
      ).toBe(0);
      const other = (await runItem(instance, chunkItem('embeddings', embeddings(2))))[0].packet as TensorPacket;
      expect(
        Buffer.compare(
          Buffer.from((other.tensor.data as Float32Array).buffer),
          Buffer.from((packet.tensor.data as Float32Array).buffer),
        ),
      ).not.toBe(0);
    } finally {
      await instance.dispose();
    }
  });

  it('refuses a frame count that is not 4k + 1 before opening a session', async () => {
    const logs: string[] = [];
    const create = dit.create!(
      { ...dit.options.parse({}), frames: 16 },
      testContext(dit, { models: {}, log: (l) => logs.push(l) }),
    );
    await expect(create).rejects.toBeInstanceOf(ConfigError);
    await expect(create).rejects.toThrow(/4k \+ 1/);
    expect(logs).toEqual([]);
  });

  it('stops between steps when the run is cancelled', async () => {
    const { instance, abort } = await createStage(dit, { ...SMALL, steps: 1000 });
    try {
      setTimeout(() => abort.abort(), 20);
      const started = performance.now();
      await expect(runItem(instance, chunkItem('embeddings', embeddings(3)))).rejects.toBeInstanceOf(CancelledError);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await instance.dispose();
    }
  });

  it('refuses something other than a float32 [B, L, D] tensor, without naming itself', async () => {
    const { instance } = await createStage(dit, SMALL);
    try {
      const text = { kind: 'text', chunk: chunk0(), text: 'hi' } as const;
      const failure = runItem(instance, chunkItem('embeddings', text));
      await expect(failure).rejects.toBeInstanceOf(InputError);
      await expect(failure).rejects.toThrow(/^input "embeddings" of chunk 0: expected tensor, got text$/);
      const flat = {
        ...embeddings(4),
        tensor: { dtype: 'float32', dims: [2 * L * D], data: new Float32Array(2 * L * D) },
      } as const;
      await expect(runItem(instance, chunkItem('embeddings', flat))).rejects.toThrow(
        /expected a float32 tensor of rank 3, got tensor:text-embeddings float32\[768\]/,
      );
    } finally {
      await instance.dispose();
    }
  });
});

describe('dit stage, window after window', () => {
  // 45 frames = 12 latent frames in windows of 5 overlapping by 2: windows at 0, 3, 6 and 7.
  const WINDOWED = { ...SMALL, frames: 45, windowLatentFrames: 5, overlapLatentFrames: 2 };

  it('sends one packet per window, in order, that together hold every latent frame once', async () => {
    const { instance } = await createStage(dit, WINDOWED, { warmup: 0 });
    try {
      const out = (await runItem(instance, chunkItem('embeddings', embeddings(1)))).map(
        (o) => o.packet as TensorPacket,
      );
      expect(out.map((p) => p.meta?.latentStart)).toEqual([0, 3, 6, 7]);
      expect(out.map((p) => p.tensor.dims[1])).toEqual([3, 3, 1, 5]);
      expect(out.map((p) => p.chunk.index)).toEqual([0, 1, 2, 3]);
      expect(out.map((p) => p.chunk.last)).toEqual([false, false, false, true]);
      expect(out.every((p) => p.meta?.latentFrames === 12 && p.meta?.frames === 45)).toBe(true);
      // Same prompt and seed: the same video, bit for bit, window after window.
      const again = (await runItem(instance, chunkItem('embeddings', embeddings(1)))).map(
        (o) => o.packet as TensorPacket,
      );
      for (const [k, p] of out.entries())
        expect(Buffer.compare(Buffer.from(p.tensor.data.buffer), Buffer.from(again[k].tensor.data.buffer))).toBe(0);
    } finally {
      await instance.dispose();
    }
  });
});
