/**
 * The vae stage created as the runtime creates it: one latents packet in, the video out as one
 * packet per temporal run — chunk indices 0..R−1 on the fps clock, `last` on the final run —
 * whose frames together are the whole decode's; tiling with its warm-up; bad input named.
 */
import { describe, expect, it } from 'vitest';
import { createTransform } from '../../helpers/stage-harness.ts';
import { InputError } from '../../../src/core/errors.ts';
import type { TensorPacket, VideoPacket } from '../../../src/core/types.ts';
import { vae } from '../../../stages/vae/index.ts';
import { framesToRgb } from '../../../stages/vae/frames-to-rgb.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';
import { decodeLatents } from '../../../stages/vae/decode.ts';
import { chunk0, chunkItem, createStage, runItem } from '../text-to-video/stage-harness.ts';
import { openReference } from '../text-to-video/sessions.ts';

function latents(f: number, h: number, w: number, seed: number, batch = 1): TensorPacket {
  const dims = [batch, f, 16, h, w];
  return {
    kind: 'tensor',
    chunk: chunk0('clip-v'),
    name: 'latents',
    tensor: {
      dtype: 'float32',
      dims,
      data: gaussianNoise(
        dims.reduce((a, b) => a * b, 1),
        seed,
      ),
    },
  };
}

describe('vae stage', () => {
  it('streams one packet per temporal run (9 + 8 frames for 5 latents) that together equal the whole decode', async () => {
    const input = latents(5, 4, 6, 11);
    const { instance, logs } = await createStage(vae, { fps: 10 });
    let out: VideoPacket[];
    try {
      out = (await runItem(instance, chunkItem('latents', input))).map((o) => o.packet as VideoPacket);
    } finally {
      await instance.dispose();
    }
    expect(logs).toEqual(['stage "vae": provider cpu']);
    expect(out.map((p) => [p.chunk.index, p.startFrame, p.frameCount, p.chunk.last])).toEqual([
      [0, 0, 9, false],
      [1, 9, 8, true],
    ]);
    expect(out.map((p) => [p.chunk.start, p.chunk.end])).toEqual([
      [0, 0.9],
      [0.9, 1.7],
    ]);
    for (const p of out)
      expect([p.width, p.height, p.fps, p.chunk.clipId, p.data.length]).toEqual([
        48,
        32,
        10,
        'clip-v',
        p.frameCount * 48 * 32 * 3,
      ]);

    const vaeModel = await openReference('vae');
    try {
      const whole = framesToRgb(
        await decodeLatents(vaeModel, input.tensor, {
          scalingFactor: 1.15258426,
          latentFramesPerRun: 64,
          tiling: false,
          tileLatents: [30, 45],
          tileOverlap: [1 / 6, 1 / 5],
        }),
      );
      const streamed = Buffer.concat(out.map((p) => p.data));
      let maxDiff = 0;
      for (let i = 0; i < whole.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(whole.data[i] - streamed[i]));
      expect(streamed.length).toBe(whole.data.length);
      expect(maxDiff).toBeLessThanOrEqual(1); // float rounding between cut and whole decodes may flip a level
    } finally {
      await vaeModel.release();
    }
  });

  it('paces its chunks: the second run leaves only once downstream has room, the decode parked meanwhile', async () => {
    let rooms = 0;
    let grant: (() => void) | undefined;
    const outputRoom = () => {
      rooms++;
      return new Promise<void>((resolve) => (grant = resolve));
    };
    const instance = await createTransform(vae, { fps: 10 }, { outputRoom });
    try {
      const seen: VideoPacket[] = [];
      const done = new Promise<void>((resolve, reject) =>
        instance
          .process(chunkItem('latents', latents(5, 4, 6, 11)))
          .subscribe({ next: (o) => seen.push(o.packet as VideoPacket), error: reject, complete: resolve }),
      );
      await expect.poll(() => rooms, { timeout: 5000 }).toBe(1);
      await new Promise((r) => setTimeout(r, 100));
      expect(seen.map((p) => p.chunk.index)).toEqual([0]);
      grant!();
      await done;
      expect(seen.map((p) => p.chunk.index)).toEqual([0, 1]);
      expect(rooms).toBe(1);
    } finally {
      await instance.dispose();
    }
  });

  it('decodes in tiles (warmed up on one) to the same size, close to the untiled frames', async () => {
    const input = latents(3, 8, 12, 12);
    const plain = await createStage(vae);
    const tiled = await createStage(
      vae,
      { tiling: true, tileLatents: [6, 8], tileOverlap: [1 / 3, 1 / 4] },
      { warmup: 1 },
    );
    try {
      const [a] = (await runItem(plain.instance, chunkItem('latents', input))).map((o) => o.packet as VideoPacket);
      const [b] = (await runItem(tiled.instance, chunkItem('latents', input))).map((o) => o.packet as VideoPacket);
      expect([b.frameCount, b.width, b.height]).toEqual([a.frameCount, a.width, a.height]);
      expect([a.frameCount, a.width, a.height]).toEqual([9, 96, 64]);
      let sum = 0;
      for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i] - b.data[i]);
      expect(sum / a.data.length).toBeLessThan(4); // 1.25 levels measured; the blend seams dominate
      expect(Buffer.compare(a.data, b.data)).not.toBe(0); // the tiles were really decoded apart
    } finally {
      await plain.instance.dispose();
      await tiled.instance.dispose();
    }
  });

  it('refuses a batch of latents (a packet is one video) and non-tensor input, without naming itself', async () => {
    const { instance } = await createStage(vae);
    try {
      await expect(runItem(instance, chunkItem('latents', latents(3, 2, 2, 1, 2)))).rejects.toThrow(
        /^latents must be \[1, f, 16, h, w\] \(one video\), got \[2, 3, 16, 2, 2\]$/,
      );
      const text = { kind: 'text', chunk: chunk0(), text: 'x' } as const;
      const failure = runItem(instance, chunkItem('latents', text));
      await expect(failure).rejects.toBeInstanceOf(InputError);
      await expect(failure).rejects.toThrow(/^input "latents" of chunk 0: expected tensor, got text$/);
    } finally {
      await instance.dispose();
    }
  });
});
