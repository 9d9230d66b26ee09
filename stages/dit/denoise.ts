/**
 * The DiT stage's denoising loop: seeded Gaussian latents [1, f, 16, h, w] (scaled by the
 * sampler's init sigma, 1 but for Euler), then for each timestep one run of the transformer on the
 * sampler's model input, [uncond, cond] (the batch of 2 in a single run, as diffusers'
 * pipeline_cogvideox does), guidance, and a sampler step (sampler.ts). Without guidance
 * (guidance ≤ 1, or a batch-1 embedding) the DiT runs on the prompt row alone.
 *
 * Feeds follow the `dit` manifest: `hidden_states` [B, f, 16, h, w] f32, `encoder_hidden_states`
 * [B, L, D] f32, `timestep` [B] int64 → `sample` (the v- or ε-prediction).
 */
import { CancelledError, InputError, ModelError } from '../../src/core/errors.ts';
import type { TensorData } from '../../src/core/types.ts';
import type { Model } from '../../src/inference/model.ts';
import { latentDims } from '../shared/latent-geometry.ts';
import { gaussianNoise } from '../shared/seeded-noise.ts';
import { f32 } from '../shared/tensors.ts';
import { combineGuidance, guidanceScaleAt, usesGuidance } from './guidance.ts';
import type { DitOptions } from './index.ts';
import { createSampler, type Sampler } from './sampler.ts';

/** The loop reads every `dit` option but the windows' (a window is one run of the loop). */
export type DenoiseOptions = Omit<DitOptions, 'windowLatentFrames' | 'overlapLatentFrames'>;

/** What the loop needs of the transformer: its named run, and its file for messages. */
export type DitModel = Pick<Model, 'run' | 'path'>;

export interface DenoiseProgress {
  /** 0-based. */
  step: number;
  steps: number;
  timestep: number;
  /** The guidance scale applied at this step (1 when guidance is off). */
  guidanceScale: number;
  /** Wall time of this step's DiT run, ms. */
  runMs: number;
  /** Wall time of the whole step (run + guidance + sampler step), ms. */
  stepMs: number;
}

export interface DenoiseHooks {
  onStep?: (progress: DenoiseProgress) => void;
  /** Checked between steps; an aborted signal ends the loop with a CancelledError. */
  signal?: AbortSignal;
  /**
   * Called before each step's transformer run with the step's latents (in the sampler's space,
   * before its scaleModelInput), which it may change in place: a window holds its overlap to
   * known latents here, re-noised to the step's level by `addNoise` (the run's Sampler.addNoise:
   * the sample for a clean `original` and unit `noise` at step `step`'s noise level). `noise` is
   * the run's own unit initial noise, [1, f, 16, h, w].
   */
  beforeStep?: (step: number, latents: Float32Array, addNoise: Sampler['addNoise'], noise: Float32Array) => void;
}

/** The seeded initial noise for a video size: [1, f, 16, h, w]. */
export function initialLatents(options: Pick<DenoiseOptions, 'seed' | 'frames' | 'width' | 'height'>): TensorData {
  const dims = latentDims(options);
  return {
    dtype: 'float32',
    dims,
    data: gaussianNoise(
      dims.reduce((a, b) => a * b, 1),
      options.seed,
    ),
  };
}

function checkEmbeddings(embeddings: TensorData): void {
  const [b] = embeddings.dims;
  if (embeddings.dtype !== 'float32' || embeddings.dims.length !== 3 || (b !== 1 && b !== 2)) {
    throw new InputError(
      `embeddings must be float32 [2, L, D] ([negative, prompt]) or [1, L, D]; got ${embeddings.dtype} [${embeddings.dims.join(', ')}]`,
    );
  }
}

export async function denoiseLatents(
  transformer: DitModel,
  embeddings: TensorData,
  options: DenoiseOptions,
  hooks: DenoiseHooks = {},
): Promise<TensorData> {
  checkEmbeddings(embeddings);
  // One sampler per run: a multistep sampler keeps its own history.
  const sampler = createSampler(options.scheduler, { steps: options.steps, snrShiftScale: options.snrShiftScale });
  const { dims, data } = initialLatents(options);
  const noise = data as Float32Array;
  const sigma = sampler.initNoiseSigma;
  // A copy even at σ = 1: the loop's latents change, the noise stays for beforeStep.
  let latents: Float32Array = noise.map((x) => x * sigma);

  const guided = usesGuidance(options.guidance) && embeddings.dims[0] === 2;
  const [, L, D] = embeddings.dims;
  const rowSize = L * D;
  // Without guidance only the prompt row (the last one) conditions the DiT.
  const text = guided
    ? (embeddings.data as Float32Array)
    : (embeddings.data as Float32Array).subarray((embeddings.dims[0] - 1) * rowSize);
  const batch = guided ? 2 : 1;
  const textFeed = f32(text, [batch, L, D]);
  const latentDimsB = [batch, ...dims.slice(1)];

  for (const [step, timestep] of sampler.timesteps.entries()) {
    if (hooks.signal?.aborted)
      throw new CancelledError(`denoising cancelled before step ${step + 1} of ${options.steps}`);
    const stepStart = performance.now();
    hooks.beforeStep?.(step, latents, sampler.addNoise, noise);
    const input = sampler.scaleModelInput(latents, step);
    const hidden = guided ? new Float32Array(2 * input.length) : input;
    if (guided) {
      hidden.set(input, 0);
      hidden.set(input, input.length);
    }
    const { sample } = await transformer.run({
      hidden_states: f32(hidden, latentDimsB),
      encoder_hidden_states: textFeed,
      timestep: { dtype: 'int64', dims: [batch], data: new BigInt64Array(batch).fill(BigInt(timestep)) },
    });
    const runMs = performance.now() - stepStart;
    if (sample.dtype !== 'float32' || sample.data.length !== hidden.length) {
      throw new ModelError(
        transformer.path,
        `sample has dims [${sample.dims.join(', ')}], expected [${latentDimsB.join(', ')}]`,
      );
    }
    const guidanceScale = guided
      ? guidanceScaleAt(options.guidance, options.dynamicGuidance, timestep, sampler.trainSteps)
      : 1;
    const predicted = sample.data as Float32Array;
    const prediction = guided ? combineGuidance(predicted, guidanceScale) : predicted;
    latents = sampler.step(prediction, step, latents).prevSample;
    hooks.onStep?.({
      step,
      steps: options.steps,
      timestep,
      guidanceScale,
      runMs,
      stepMs: performance.now() - stepStart,
    });
  }
  return { dtype: 'float32', dims, data: latents };
}
