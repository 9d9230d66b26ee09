/**
 * RVC's frame alignment (`infer/modules/vc/pipeline.py` `vc`): content features at 50 frames/s
 * are repeated ×2 (F.interpolate nearest, scale 2) to the pitch rate of 100 frames/s, and the
 * synthesizer gets T = min(⌊samples/160⌋, 2·T_features) frames of features, pitch and noise alike.
 */
import { InputError } from '../../src/core/errors.ts';

/** [T, D] row-major → [2T, D], each frame twice. */
export function upsampleFeatures(features: Float32Array, frames: number, dim: number): Float32Array {
  if (features.length !== frames * dim)
    throw new InputError(`features hold ${features.length} values: expected ${frames} × ${dim}`);
  const out = new Float32Array(2 * frames * dim);
  for (let t = 0; t < frames; t++) {
    const row = features.subarray(t * dim, (t + 1) * dim);
    out.set(row, 2 * t * dim);
    out.set(row, (2 * t + 1) * dim);
  }
  return out;
}

/** Synthesizer frames for a segment: min(⌊samples16k/160⌋, 2·featureFrames). */
export function alignedFrames(samples16k: number, featureFrames: number): number {
  return Math.min(Math.floor(samples16k / 160), 2 * featureFrames);
}
