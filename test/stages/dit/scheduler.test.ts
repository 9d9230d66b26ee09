import { describe, expect, it } from 'vitest';
import { alphasCumprod, trailingTimesteps } from '../../../stages/dit/noise-schedule.ts';
import { createSampler } from '../../../stages/dit/sampler.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';
import { maxAbsDiff } from '../text-to-video/sessions.ts';

/** ᾱ from the published recipe, written out again here step by step. */
function referenceAlphasCumprod(shift: number, zeroSnr: boolean): number[] {
  const a = Math.sqrt(0.00085);
  const b = Math.sqrt(0.012);
  const out: number[] = [];
  let prod = 1;
  for (let i = 0; i < 1000; i++) {
    const beta = (a + ((b - a) * i) / 999) ** 2;
    prod *= 1 - beta;
    out.push(prod / (shift + (1 - shift) * prod));
  }
  if (!zeroSnr) return out;
  const s = out.map(Math.sqrt);
  const [s0, sT] = [s[0], s[999]];
  return s.map((v) => ((v - sT) * s0) / (s0 - sT)).map((v) => v * v);
}

describe('noise schedule', () => {
  it('matches the scaled_linear + SNR shift + zero-SNR recipe', () => {
    const ours = alphasCumprod({ snrShiftScale: 3, rescaleZeroTerminalSnr: true });
    const ref = referenceAlphasCumprod(3, true);
    for (let t = 0; t < 1000; t++) expect(ours[t]).toBeCloseTo(ref[t], 12);
  });

  it('reaches ᾱ ≈ 0 at the last train step after the zero-SNR rescale, and keeps ᾱ at step 0', () => {
    const shifted = alphasCumprod({ snrShiftScale: 3 });
    const rescaled = alphasCumprod({ snrShiftScale: 3, rescaleZeroTerminalSnr: true });
    expect(rescaled[999]).toBeLessThan(1e-20);
    expect(shifted[999]).toBeGreaterThan(1e-4);
    expect(rescaled[0]).toBeCloseTo(shifted[0], 14);
    for (let t = 1; t < 1000; t++) expect(rescaled[t]).toBeLessThan(rescaled[t - 1]);
  });

  it('divides the SNR ᾱ/(1 − ᾱ) by the shift scale at every step', () => {
    const plain = alphasCumprod();
    const shifted = alphasCumprod({ snrShiftScale: 3 });
    for (const t of [0, 1, 250, 500, 999]) {
      const snr = (a: number) => a / (1 - a);
      expect(snr(shifted[t]) / snr(plain[t])).toBeCloseTo(1 / 3, 10);
    }
  });
});

describe('trailing timesteps', () => {
  it('start at 999 and step by 20 for 50 steps', () => {
    const expected = Array.from({ length: 50 }, (_, k) => 999 - 20 * k);
    expect(trailingTimesteps(1000, 50)).toEqual(expected);
    for (const kind of ['cogvideox-ddim', 'ddim', 'dpm-solver++', 'euler'] as const)
      expect(createSampler(kind, { steps: 50 }).timesteps).toEqual(expected);
  });

  it('round halves to even as numpy does (16 steps: 937.5 → 938, 812.5 → 812)', () => {
    expect(trailingTimesteps(1000, 16).slice(0, 4)).toEqual([999, 937, 874, 811]);
    expect(trailingTimesteps(1000, 3)).toEqual([999, 666, 332]);
    expect(trailingTimesteps(1000, 1)).toEqual([999]);
  });

  it('refuses more steps than train steps', () => {
    expect(() => trailingTimesteps(1000, 1001)).toThrow(/1\.\.1000/);
    expect(() => createSampler('euler', { steps: 0 })).toThrow(/1\.\.1000/);
  });
});

describe('DDIM steps', () => {
  const n = 4096;
  const x0 = gaussianNoise(n, 1);
  const eps = gaussianNoise(n, 2);
  const mix = (a: number, x: Float32Array, b: number, y: Float32Array) =>
    Float32Array.from(x, (v, i) => a * v + b * y[i]);
  const cogvideoxAc = alphasCumprod({ snrShiftScale: 3, rescaleZeroTerminalSnr: true });

  it('cogvideox-ddim: the true v recovers x0 and lands on the DDIM point of the previous timestep', () => {
    const s = createSampler('cogvideox-ddim', { steps: 50 });
    const ac = cogvideoxAc;
    for (const [index, t] of [
      [0, 999],
      [24, 519],
      [49, 19],
    ]) {
      expect(s.timesteps[index]).toBe(t);
      const xt = mix(Math.sqrt(ac[t]), x0, Math.sqrt(1 - ac[t]), eps);
      expect(maxAbsDiff(s.addNoise(x0, eps, index), xt)).toBe(0);
      const v = mix(Math.sqrt(ac[t]), eps, -Math.sqrt(1 - ac[t]), x0); // diffusers get_velocity
      const { predOriginal, prevSample } = s.step(v, index, xt);
      expect(maxAbsDiff(predOriginal, x0)).toBeLessThan(2e-6);
      const aPrev = t - 20 >= 0 ? ac[t - 20] : 1;
      expect(maxAbsDiff(prevSample, mix(Math.sqrt(aPrev), x0, Math.sqrt(1 - aPrev), eps))).toBeLessThan(5e-6);
    }
  });

  it('cogvideox-ddim: 50 steps with an oracle v end exactly on x0', () => {
    const s = createSampler('cogvideox-ddim', { steps: 50 });
    let x: Float32Array = eps.slice();
    for (const [index, t] of s.timesteps.entries()) {
      const a = cogvideoxAc[t];
      x = s.step(mix(Math.sqrt(a), eps, -Math.sqrt(1 - a), x0), index, x).prevSample;
    }
    expect(maxAbsDiff(x, x0)).toBeLessThan(1e-5);
  });

  it('ddim (ε): the true noise recovers x0 and the previous DDIM point', () => {
    const s = createSampler('ddim', { steps: 10 });
    expect(s.predictionType).toBe('epsilon');
    const ac = alphasCumprod();
    expect(ac[999]).toBeGreaterThan(1e-3); // no zero-SNR rescale: x0 stays recoverable
    const t = 499;
    expect(s.timesteps[5]).toBe(t);
    const xt = mix(Math.sqrt(ac[t]), x0, Math.sqrt(1 - ac[t]), eps);
    expect(maxAbsDiff(s.addNoise(x0, eps, 5), xt)).toBe(0);
    const { predOriginal, prevSample } = s.step(eps, 5, xt);
    expect(maxAbsDiff(predOriginal, x0)).toBeLessThan(1e-5);
    expect(maxAbsDiff(prevSample, mix(Math.sqrt(ac[399]), x0, Math.sqrt(1 - ac[399]), eps))).toBeLessThan(1e-5);
  });
});
