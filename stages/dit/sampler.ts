/**
 * The denoising loop's one view of a sampler (diffusers calls them schedulers): the timesteps the
 * transformer is fed, how the initial noise and the model input are scaled, one step from a model
 * output, and the sample at a step's noise level for known clean latents (`addNoise`, used to
 * hold a window's overlap to the previous window's latents).
 *
 * Samplers, each in its own file with the diffusers source it follows quoted:
 * - `cogvideox-ddim`, `ddim` — ddim-sampler.ts (CogVideoXDDIMScheduler, DDIMScheduler);
 * - `dpm-solver++` — dpm-solver-sampler.ts (DPMSolverMultistepScheduler, dpmsolver++ order 2);
 * - `euler` — euler-sampler.ts (EulerDiscreteScheduler).
 * All but `ddim` use CogVideoX's schedule: v-prediction, scaled_linear betas 0.00085–0.012, SNR
 * shift, zero-terminal-SNR rescale, trailing timesteps, a clean (σ = 0) end.
 */
import { createDdimSampler } from './ddim-sampler.ts';
import { createDpmSolverSampler } from './dpm-solver-sampler.ts';
import { createEulerSampler } from './euler-sampler.ts';
import type { DitOptions } from './index.ts';

/** The `scheduler` option's values: FACTORIES below must have one for each. */
export type SamplerKind = DitOptions['scheduler'];
export type PredictionType = 'v_prediction' | 'epsilon';

export interface SamplerOptions {
  /** Inference steps, 1..trainSteps. */
  steps: number;
  /** SNR shift `ᾱ ← ᾱ / (s + (1 − s)·ᾱ)` of the CogVideoX schedule (not used by `ddim`). Default 3 (CogVideoX-2B). */
  snrShiftScale?: number;
  /** Train steps of the noise schedule. Default 1000. */
  trainSteps?: number;
}

/** The options with their defaults filled in, as each sampler's factory receives them. */
export type SamplerSettings = Required<SamplerOptions>;

export interface SamplerStep {
  /** The sample at the next (lower) noise level, in the sampler's sample space. */
  prevSample: Float32Array;
  /** The clean x0 the model output implies at this step. */
  predOriginal: Float32Array;
}

export interface Sampler {
  readonly kind: SamplerKind;
  readonly predictionType: PredictionType;
  readonly trainSteps: number;
  /** What the transformer's int64 `timestep` is fed, one per step, descending (whole numbers). */
  readonly timesteps: readonly number[];
  /** The unit Gaussian initial noise is multiplied by this (1 but for Euler, whose samples are x0 + σ·ε). */
  readonly initNoiseSigma: number;
  /** The transformer's input for the sample at step `stepIndex` (the sample itself but for Euler). */
  scaleModelInput(sample: Float32Array, stepIndex: number): Float32Array;
  /**
   * One denoising step from the (guided) model output. A multistep sampler keeps its own history
   * and takes steps 0, 1, 2, … in order: one Sampler per denoising run.
   */
  step(modelOutput: Float32Array, stepIndex: number, sample: Float32Array): SamplerStep;
  /**
   * The sample at the noise level of `timesteps[stepIndex]` for a clean `original` and unit
   * Gaussian `noise` (diffusers `add_noise`, in this sampler's sample space).
   */
  addNoise(original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array;
}

const FACTORIES: Readonly<Record<SamplerKind, (settings: SamplerSettings) => Sampler>> = Object.freeze({
  'cogvideox-ddim': (s) => createDdimSampler('cogvideox-ddim', s),
  ddim: (s) => createDdimSampler('ddim', s),
  'dpm-solver++': createDpmSolverSampler,
  euler: createEulerSampler,
});

const SAMPLER_KINDS = Object.freeze(Object.keys(FACTORIES) as SamplerKind[]);

export function createSampler(kind: SamplerKind, options: SamplerOptions): Sampler {
  const factory = Object.hasOwn(FACTORIES, kind) ? FACTORIES[kind] : undefined;
  if (!factory) throw new RangeError(`unknown sampler "${kind}"; one of ${SAMPLER_KINDS.join(', ')}`);
  return checked(factory({ trainSteps: 1000, snrShiftScale: 3, ...options }));
}

/** Argument checks shared by every sampler, so that each file holds only its algorithm. */
function checked(sampler: Sampler): Sampler {
  const steps = sampler.timesteps.length;
  const index = (stepIndex: number) => {
    if (!Number.isInteger(stepIndex) || stepIndex < 0 || stepIndex >= steps)
      throw new RangeError(`step index ${stepIndex} outside 0..${steps - 1}`);
  };
  const sameLength = (a: Float32Array, b: Float32Array, names: [string, string]) => {
    if (a.length !== b.length) throw new RangeError(`${names[0]} has ${a.length} values, ${names[1]} ${b.length}`);
  };
  return Object.freeze({
    kind: sampler.kind,
    predictionType: sampler.predictionType,
    trainSteps: sampler.trainSteps,
    timesteps: Object.freeze([...sampler.timesteps]),
    initNoiseSigma: sampler.initNoiseSigma,
    scaleModelInput: (sample: Float32Array, stepIndex: number) => {
      index(stepIndex);
      return sampler.scaleModelInput(sample, stepIndex);
    },
    step: (modelOutput: Float32Array, stepIndex: number, sample: Float32Array) => {
      index(stepIndex);
      sameLength(modelOutput, sample, ['model output', 'sample']);
      return sampler.step(modelOutput, stepIndex, sample);
    },
    addNoise: (original: Float32Array, noise: Float32Array, stepIndex: number) => {
      index(stepIndex);
      sameLength(noise, original, ['noise', 'original']);
      return sampler.addNoise(original, noise, stepIndex);
    },
  });
}
