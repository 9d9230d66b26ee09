import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DitHyper } from '../../../models/families/dit.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { CancelledError } from '../../../src/core/errors.ts';
import type { TensorData } from '../../../src/core/types.ts';
import { createScheduler } from '../../../stages/dit/ddim-scheduler.ts';
import {
  denoiseLatents,
  initialLatents,
  type DenoiseOptions,
  type DenoiseProgress,
} from '../../../stages/dit/denoise.ts';
import { dynamicGuidanceScale } from '../../../stages/dit/guidance.ts';
import type { Model } from '../../../src/inference/model.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';
import { f32 } from '../../../stages/shared/tensors.ts';
import { maxAbsDiff, openReference } from '../text-to-video/sessions.ts';

const L = 12;
const D = (MANIFESTS.dit.scales.tiny as DitHyper).textDim;
const base: DenoiseOptions = {
  steps: 3,
  guidance: 6,
  dynamicGuidance: true,
  scheduler: 'cogvideox-ddim',
  snrShiftScale: 3,
  seed: 7,
  frames: 9,
  width: 64,
  height: 48,
};

function embeddingsOf(...rows: Float32Array[]): TensorData {
  const data = new Float32Array(rows.length * L * D);
  rows.forEach((r, i) => data.set(r, i * L * D));
  return { dtype: 'float32', dims: [rows.length, L, D], data };
}

describe('denoising loop on the tiny reference DiT', () => {
  let dit: Model;
  const negative = gaussianNoise(L * D, 100);
  const prompt = gaussianNoise(L * D, 101);
  beforeAll(async () => {
    dit = await openReference('dit');
  });
  afterAll(async () => dit.release());

  it('returns latents [1, (F − 1)/4 + 1, 16, H/8, W/8], reporting every step', async () => {
    const seen: DenoiseProgress[] = [];
    const out = await denoiseLatents(dit, embeddingsOf(negative, prompt), base, { onStep: (p) => seen.push(p) });
    expect(out.dims).toEqual([1, 3, 16, 6, 8]);
    expect(seen.map((p) => p.timestep)).toEqual([999, 666, 332]);
    expect(seen.map((p) => p.step)).toEqual([0, 1, 2]);
    seen.forEach((p) => expect(p.guidanceScale).toBeCloseTo(dynamicGuidanceScale(6, p.timestep), 12));
    expect((out.data as Float32Array).every(Number.isFinite)).toBe(true);
  });

  it('is deterministic for a seed and changes with it', async () => {
    const a = await denoiseLatents(dit, embeddingsOf(negative, prompt), base);
    const b = await denoiseLatents(dit, embeddingsOf(negative, prompt), base);
    expect(Buffer.from((a.data as Float32Array).buffer).equals(Buffer.from((b.data as Float32Array).buffer))).toBe(
      true,
    );
    const c = await denoiseLatents(dit, embeddingsOf(negative, prompt), { ...base, seed: 8 });
    expect(maxAbsDiff(a.data as Float32Array, c.data as Float32Array)).toBeGreaterThan(1e-3);
  });

  it('with guidance 1 equals the unguided loop: the negative prompt has no effect', async () => {
    const off = { ...base, guidance: 1 };
    const a = await denoiseLatents(dit, embeddingsOf(negative, prompt), off);
    const b = await denoiseLatents(dit, embeddingsOf(gaussianNoise(L * D, 555), prompt), off);
    const promptOnly = await denoiseLatents(dit, embeddingsOf(prompt), base);
    expect(Array.from(b.data as Float32Array)).toEqual(Array.from(a.data as Float32Array));
    expect(Array.from(promptOnly.data as Float32Array)).toEqual(Array.from(a.data as Float32Array));
    const guided = await denoiseLatents(dit, embeddingsOf(negative, prompt), base);
    expect(maxAbsDiff(guided.data as Float32Array, a.data as Float32Array)).toBeGreaterThan(1e-4);
  });

  it('batches [uncond, cond] in one run: equals separate runs combined by hand', async () => {
    const options = { ...base, steps: 1, dynamicGuidance: false, guidance: 4 };
    const ours = await denoiseLatents(dit, embeddingsOf(negative, prompt), options);
    const x = initialLatents(options);
    const run = async (text: Float32Array) => {
      const out = await dit.run({
        hidden_states: x,
        encoder_hidden_states: f32(text, [1, L, D]),
        timestep: { dtype: 'int64', dims: [1], data: BigInt64Array.of(999n) },
      });
      return out.sample.data as Float32Array;
    };
    const [u, c] = [await run(negative), await run(prompt)];
    const v = u.map((ui, i) => ui + 4 * (c[i] - ui));
    const expected = createScheduler('cogvideox-ddim', { steps: 1 }).step(v, 999, x.data as Float32Array).prevSample;
    expect(maxAbsDiff(ours.data as Float32Array, expected)).toBeLessThan(1e-4);
  });

  it('stops with a CancelledError when its signal is aborted', async () => {
    const controller = new AbortController();
    const promise = denoiseLatents(dit, embeddingsOf(negative, prompt), base, {
      signal: controller.signal,
      onStep: () => controller.abort(),
    });
    await expect(promise).rejects.toBeInstanceOf(CancelledError);
  });
});
