import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import { combineGuidance, dynamicGuidanceScale, guidanceScaleAt, usesGuidance } from '../../../stages/dit/guidance.ts';
import { decodedFrameCount, latentDims, temporalRuns } from '../../../stages/shared/latent-geometry.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';

describe('dynamic guidance', () => {
  it('ramps from ≈ 1 at t = 999 to 1 + g at t = 0', () => {
    expect(dynamicGuidanceScale(6, 999)).toBeCloseTo(1, 9);
    expect(dynamicGuidanceScale(6, 0)).toBeCloseTo(7, 12);
    // t = 500: ((1000 − 500)/1000)^5 = 1/32.
    expect(dynamicGuidanceScale(6, 500)).toBeCloseTo(1 + 3 * (1 - Math.cos(Math.PI / 32)), 12);
    expect(guidanceScaleAt(6, false, 500)).toBe(6);
  });

  it('is monotone over the 50 trailing timesteps', () => {
    const scales = Array.from({ length: 50 }, (_, k) => dynamicGuidanceScale(6, 999 - 20 * k));
    for (let i = 1; i < scales.length; i++) expect(scales[i]).toBeGreaterThan(scales[i - 1]);
  });

  it('combines [uncond, cond] as uncond + g·(cond − uncond); g = 1 gives cond', () => {
    const u = gaussianNoise(64, 5);
    const c = gaussianNoise(64, 6);
    const batched = new Float32Array(128);
    batched.set(u);
    batched.set(c, 64);
    expect(Array.from(combineGuidance(batched, 1))).toEqual(Array.from(c));
    expect(Array.from(combineGuidance(batched, 0))).toEqual(Array.from(u));
    const g3 = combineGuidance(batched, 3);
    for (let i = 0; i < 64; i++) expect(g3[i]).toBeCloseTo(u[i] + 3 * (c[i] - u[i]), 5);
    expect(usesGuidance(1)).toBe(false);
    expect(usesGuidance(1.01)).toBe(true);
  });
});

describe('latent geometry', () => {
  it('maps frames/width/height to [1, (F − 1)/4 + 1, 16, H/8, W/8]', () => {
    expect(latentDims({ frames: 49, width: 720, height: 480 })).toEqual([1, 13, 16, 60, 90]);
    expect(latentDims({ frames: 17, width: 256, height: 160 })).toEqual([1, 5, 16, 20, 32]);
    expect(latentDims({ frames: 1, width: 16, height: 16 })).toEqual([1, 1, 16, 2, 2]);
  });

  it('refuses frame counts that are not 4k + 1 and sides that are not multiples of 8, all at once', () => {
    let error: unknown;
    try {
      latentDims({ frames: 18, width: 250, height: 160 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toHaveLength(2);
    expect((error as ConfigError).message).toMatch(/4k \+ 1.*18/);
  });

  it('decodes f latent frames to 4(f − 1) + 1 frames for odd f', () => {
    for (const f of [1, 3, 5, 13]) expect(decodedFrameCount(f)).toBe(4 * (f - 1) + 1);
    expect(decodedFrameCount(4)).toBe(16);
  });

  it('cuts temporal runs as diffusers: 13 in runs of 2 → 3, 2, 2, 2, 2, 2', () => {
    const runs = temporalRuns(13, 2);
    expect(runs.map((r) => r.count)).toEqual([3, 2, 2, 2, 2, 2]);
    let next = 0;
    for (const r of runs) {
      expect(r.start).toBe(next);
      next += r.count;
    }
    expect(next).toBe(13);
    expect(temporalRuns(5, 4).map((r) => r.count)).toEqual([5]);
    expect(temporalRuns(9, 4).map((r) => r.count)).toEqual([5, 4]);
    expect(temporalRuns(3, 8)).toEqual([{ start: 0, count: 3 }]);
    // The sum of frames per run equals the whole-clip count: only the first (odd) run drops 3.
    expect(runs.reduce((n, r, i) => n + (i === 0 ? decodedFrameCount(r.count) : 4 * r.count), 0)).toBe(
      decodedFrameCount(13),
    );
  });

  it('refuses an odd run length shorter than the clip', () => {
    expect(() => temporalRuns(13, 3)).toThrow(ConfigError);
  });
});

describe('seeded noise', () => {
  it('is deterministic per seed, differs between seeds, and is standard normal', () => {
    const a = gaussianNoise(200_000, 42);
    expect(Buffer.from(gaussianNoise(200_000, 42).buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const b = gaussianNoise(1000, 43);
    expect(Array.from(b)).not.toEqual(Array.from(a.subarray(0, 1000)));
    // Seeds beyond 2³² still differ.
    expect(Array.from(gaussianNoise(8, 2 ** 32 + 42))).not.toEqual(Array.from(a.subarray(0, 8)));
    let [sum, sq] = [0, 0];
    for (const v of a) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sq / a.length - mean * mean - 1)).toBeLessThan(0.01);
  });
});
