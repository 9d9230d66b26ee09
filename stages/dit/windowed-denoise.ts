/**
 * The clip's latents window after window (windows.ts): each window is one run of the denoising
 * loop (denoise.ts) on its own seeded noise, its overlap held before every transformer run to what
 * the earlier windows left there, re-noised to the step's level; each yields the latent frames it
 * settles, seam blended, for the VAE to decode while the next window is denoised.
 */
import type { TensorData } from '../../src/core/types.ts';
import { latentDims } from '../shared/latent-geometry.ts';
import { denoiseLatents, type DitModel } from './denoise.ts';
import type { DitOptions } from './index.ts';
import { emittedRange, latentWindows, windowPacket } from './windows.ts';

export interface SettledLatents {
  /** Window index and count. */
  window: number;
  windows: number;
  /** Latent frames [start, end) of the clip these are. */
  start: number;
  end: number;
  /** [end − start, 16, h, w] in DiT layout. */
  frames: Float32Array;
}

export interface WindowHooks {
  signal?: AbortSignal;
  /** Step `done` of `total` of window `window` of `windows` (0 as a window starts). */
  progress?: (done: number, total: number, window: number, windows: number) => void;
}

/** Window 0 takes the run's seed (a one-window video is as before); window k > 0 one derived from it. */
export function windowSeed(seed: number, k: number): number {
  return k === 0 ? seed : Number((BigInt(seed) * 1_000_003n + BigInt(k)) % 2n ** 53n);
}

export async function* denoiseWindows(
  model: DitModel,
  embeddings: TensorData,
  options: DitOptions,
  hooks: WindowHooks = {},
): AsyncGenerator<SettledLatents> {
  const [, total, C, h, w] = latentDims(options);
  const windows = latentWindows(total, options.windowLatentFrames, options.overlapLatentFrames);
  const frameSize = C * h * w;
  /** The latents the previous windows left for this one's overlap (blended where they overlapped). */
  let held: Float32Array | undefined;
  for (const [k, window] of windows.entries()) {
    // The video size whose latents are the window's frames ((F − 1)/4 + 1 = count), its own seed.
    const frames = 4 * (window.count - 1) + 1;
    const windowOptions = { ...options, frames, seed: windowSeed(options.seed, k) };
    // Held to `known` re-noised to each step's level, with this window's own noise there.
    const known = held;
    hooks.progress?.(0, options.steps, k, windows.length);
    const latents = await denoiseLatents(model, embeddings, windowOptions, {
      signal: hooks.signal,
      onStep: (p) => hooks.progress?.(p.step + 1, options.steps, k, windows.length),
      beforeStep: known
        ? (step, sample, addNoise, noise) => sample.set(addNoise(known, noise.subarray(0, known.length), step))
        : undefined,
    });
    const packet = windowPacket(windows, k, latents.data as Float32Array, held, frameSize);
    held = packet.held;
    yield { window: k, windows: windows.length, ...emittedRange(windows, k), frames: packet.frames };
  }
}
