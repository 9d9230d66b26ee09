import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DitHyper } from '../../../models/families/dit.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { CancelledError } from '../../../src/core/errors.ts';
import type { TensorData } from '../../../src/core/types.ts';
import {
  denoiseLatents,
  initialLatents,
  type DenoiseOptions,
  type DenoiseProgress,
  type DitModel,
} from '../../../stages/dit/denoise.ts';
import { dynamicGuidanceScale } from '../../../stages/dit/guidance.ts';
import { createSampler } from '../../../stages/dit/sampler.ts';
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
    const expected = createSampler('cogvideox-ddim', { steps: 1 }).step(v, 0, x.data as Float32Array).prevSample;
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

  it('continues the last window: its overlap ends near the frames it was held to, unlike a window made alone', async () => {
    // 10 steps: the last step starts near enough to the clean latents for the hold to tell (with the
    // random reference DiT, 3 steps end at x0 predicted from ᾱ ≈ 0.3; 50 steps come 8× closer).
    const options = { ...base, steps: 10, frames: 17, seed: 11 }; // windows of 5 latent frames
    const text = embeddingsOf(gaussianNoise(L * D, 1), gaussianNoise(L * D, 2));
    const first = (await denoiseLatents(dit, text, options)).data as Float32Array;
    const frame = first.length / 5;
    const held = first.slice(3 * frame); // window 1 starts at latent frame 3: 2 frames of overlap
    const next = { ...options, seed: 12 };
    const noise = (initialLatents(next).data as Float32Array).subarray(0, held.length);
    const continued = (
      await denoiseLatents(dit, text, next, {
        beforeStep: (step, latents, addNoise) => latents.set(addNoise(held, noise, step)),
      })
    ).data as Float32Array;
    const alone = (await denoiseLatents(dit, text, next)).data as Float32Array;
    const distance = (x: Float32Array) => {
      let sum = 0;
      for (let i = 0; i < held.length; i++) sum += Math.abs(x[i] - held[i]);
      return sum / held.length;
    };
    const spread = distance(alone);
    expect(distance(continued)).toBeLessThan(0.35 * spread);
  });
});

describe('denoising loop with each sampler', () => {
  /** A stand-in DiT: v = 0.5·tanh(input) + 0.001·t, recording what it is fed. */
  function fakeDit() {
    const fed: { hidden: Float32Array; timestep: bigint }[] = [];
    const model: DitModel = {
      path: 'fake-dit.onnx',
      run: async (feeds) => {
        const hidden = feeds.hidden_states.data as Float32Array;
        const timestep = (feeds.timestep.data as BigInt64Array)[0];
        fed.push({ hidden: hidden.slice(), timestep });
        const sample = hidden.map((z) => 0.5 * Math.tanh(z) + 0.001 * Number(timestep));
        return { sample: { dtype: 'float32', dims: [...feeds.hidden_states.dims], data: sample } };
      },
    };
    return { model, fed };
  }

  it.each(['cogvideox-ddim', 'ddim', 'dpm-solver++', 'euler'] as const)(
    '%s: noise × initNoiseSigma, scaleModelInput before each run, step by index',
    async (scheduler) => {
      const options = { ...base, scheduler, guidance: 1, steps: 4 };
      const { model, fed } = fakeDit();
      const out = await denoiseLatents(model, embeddingsOf(gaussianNoise(L * D, 101)), options);

      const sampler = createSampler(scheduler, { steps: 4 });
      let x: Float32Array = (initialLatents(options).data as Float32Array).map((e) => e * sampler.initNoiseSigma);
      for (const [i, t] of sampler.timesteps.entries()) {
        const input = sampler.scaleModelInput(x, i);
        expect(fed[i].timestep).toBe(BigInt(t));
        expect(maxAbsDiff(fed[i].hidden, input)).toBe(0);
        x = sampler.step(
          input.map((z) => 0.5 * Math.tanh(z) + 0.001 * t),
          i,
          x,
        ).prevSample;
      }
      expect(maxAbsDiff(out.data as Float32Array, x)).toBe(0);
    },
  );

  it('hands beforeStep the sampler-space latents and that sampler’s addNoise', async () => {
    const options = { ...base, scheduler: 'euler' as const, guidance: 1, steps: 3 };
    const { model, fed } = fakeDit();
    const known = new Float32Array(16).fill(0.25);
    const noise = gaussianNoise(16, 5);
    const sampler = createSampler('euler', { steps: 3 });
    await denoiseLatents(model, embeddingsOf(gaussianNoise(L * D, 101)), options, {
      beforeStep: (step, latents, addNoise) => latents.set(addNoise(known, noise, step)),
    });
    for (let i = 0; i < 3; i++) {
      const held = sampler.scaleModelInput(sampler.addNoise(known, noise, i), i);
      expect(maxAbsDiff(fed[i].hidden.subarray(0, 16), held)).toBe(0);
    }
  });
});
