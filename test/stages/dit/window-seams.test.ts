/**
 * The seams between windows, seen as an identity-like VAE would show them (the latent frames
 * themselves). The measure: the mean absolute change between consecutive latent frames. A seam
 * pair is one that touches a window's start or its blended overlap; every other pair is inside a
 * window. A stand-in DiT whose clean estimate is the sample averaged over its neighbouring frames
 * (±2) makes each window smooth in time, so a seam shows as a jump. Made window after window, no
 * seam changes more than 1.25× the most that frames change inside a window; the same windows made
 * alone and cut together jump 3× more or worse at their seams (so the measure sees a seam).
 */
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../../src/core/types.ts';
import { denoiseLatents, type DitModel } from '../../../stages/dit/denoise.ts';
import { dit } from '../../../stages/dit/index.ts';
import { cogvideoxAlphasCumprod } from '../../../stages/dit/noise-schedule.ts';
import { denoiseWindows, windowSeed } from '../../../stages/dit/windowed-denoise.ts';
import { emittedRange, latentWindows } from '../../../stages/dit/windows.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';

const alphas = cogvideoxAlphasCumprod(1000, 3);

/** v-prediction whose x0 (√ᾱ·x − √(1 − ᾱ)·v) is the sample averaged over frames k − 2 … k + 2. */
const smoothDit: DitModel = {
  path: 'smooth-stand-in.onnx',
  run: async (feeds) => {
    const x = feeds.hidden_states.data as Float32Array;
    const [B, f, C, h, w] = feeds.hidden_states.dims;
    const a = alphas[Number((feeds.timestep.data as BigInt64Array)[0])];
    const size = C * h * w;
    const v = new Float32Array(x.length);
    for (let b = 0; b < B; b++)
      for (let k = 0; k < f; k++) {
        const [lo, hi] = [Math.max(0, k - 2), Math.min(f - 1, k + 2)];
        for (let i = 0; i < size; i++) {
          let sum = 0;
          for (let j = lo; j <= hi; j++) sum += x[(b * f + j) * size + i];
          const at = (b * f + k) * size + i;
          v[at] = (Math.sqrt(a) * x[at] - sum / (hi - lo + 1)) / Math.sqrt(1 - a);
        }
      }
    return { sample: { dtype: 'float32', dims: [B, f, C, h, w], data: v } };
  },
};

// 81 frames = 21 latent frames, windows of 8 overlapping by 2: they start at 0, 6, 12 and 13.
const options = {
  ...dit.options.parse({}),
  steps: 20,
  guidance: 1,
  frames: 81,
  width: 32,
  height: 32,
  windowLatentFrames: 8,
  overlapLatentFrames: 2,
};
const text: TensorData = { dtype: 'float32', dims: [1, 4, 8], data: gaussianNoise(32, 1) };
const windows = latentWindows(21, 8, 2);

function changes(frames: Float32Array[]): number[] {
  return frames.slice(1).map((f, i) => f.reduce((s, v, j) => s + Math.abs(v - frames[i][j]), 0) / f.length);
}

/** Pair i (frames i, i + 1) touches a seam: a window's start or its blended overlap. */
const atSeam = (i: number) => windows.slice(1).some((w) => i + 1 >= w.start && i < w.start + w.overlap);

function split(changesOf: number[]): { seam: number; inside: number } {
  const seam = Math.max(...changesOf.filter((_, i) => atSeam(i)));
  const inside = Math.max(...changesOf.filter((_, i) => !atSeam(i)));
  return { seam, inside };
}

describe('window seams', () => {
  it('change no more than frames inside a window; windows cut together without the hold jump there', async () => {
    const made: Float32Array[] = [];
    for await (const settled of denoiseWindows(smoothDit, text, options)) {
      const size = settled.frames.length / (settled.end - settled.start);
      for (let k = 0; k < settled.end - settled.start; k++) made.push(settled.frames.slice(k * size, (k + 1) * size));
    }
    expect(made).toHaveLength(21);
    const ours = split(changes(made));
    expect(ours.seam).toBeLessThanOrEqual(1.25 * ours.inside);

    const cut: Float32Array[] = [];
    for (const [k, w] of windows.entries()) {
      const alone = { ...options, frames: 4 * (w.count - 1) + 1, seed: windowSeed(options.seed, k) };
      const out = (await denoiseLatents(smoothDit, text, alone)).data as Float32Array;
      const size = out.length / w.count;
      const { start, end } = emittedRange(windows, k);
      for (let i = start; i < end; i++) cut.push(out.slice((i - w.start) * size, (i - w.start + 1) * size));
    }
    const naive = split(changes(cut));
    expect(naive.seam).toBeGreaterThan(3 * naive.inside);
  });
});
