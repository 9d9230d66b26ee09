/**
 * Deterministic DDIM sampling (η = 0), in two configurations:
 *
 * - `cogvideox-ddim` — diffusers' CogVideoXDDIMScheduler with CogVideoX-2B's scheduler_config:
 *   scaled_linear betas 0.00085–0.012 over 1000 train steps, snr_shift_scale 3.0, zero-terminal-SNR
 *   rescale, set_alpha_to_one, trailing spacing, v_prediction. Its `step`
 *   (huggingface/diffusers `src/diffusers/schedulers/scheduling_ddim_cogvideox.py`):
 *
 *       prev_timestep = timestep - self.config.num_train_timesteps // self.num_inference_steps
 *       alpha_prod_t = self.alphas_cumprod[timestep]
 *       alpha_prod_t_prev = self.alphas_cumprod[prev_timestep] if prev_timestep >= 0 else self.final_alpha_cumprod
 *       beta_prod_t = 1 - alpha_prod_t
 *       pred_original_sample = (alpha_prod_t**0.5) * sample - (beta_prod_t**0.5) * model_output   # v_prediction
 *       a_t = ((1 - alpha_prod_t_prev) / (1 - alpha_prod_t)) ** 0.5
 *       b_t = alpha_prod_t_prev**0.5 - alpha_prod_t**0.5 * a_t
 *       prev_sample = a_t * sample + b_t * pred_original_sample
 *
 * - `ddim` — plain DDIM with ε-prediction (`scheduling_ddim.py`, DDIMScheduler.step with eta 0 and
 *   clip_sample off, as latent models configure it): same betas and trailing spacing, no SNR
 *   shift, no zero-SNR rescale (ε-prediction cannot recover x0 where ᾱ = 0):
 *
 *       pred_original_sample = (sample - beta_prod_t ** (0.5) * model_output) / alpha_prod_t ** (0.5)
 *       pred_sample_direction = (1 - alpha_prod_t_prev - std_dev_t**2) ** (0.5) * pred_epsilon
 *       prev_sample = alpha_prod_t_prev ** (0.5) * pred_original_sample + pred_sample_direction
 *
 * Timesteps ("trailing", Lin et al. 2023, Table 2):
 *
 *       step_ratio = self.config.num_train_timesteps / self.num_inference_steps
 *       timesteps = np.round(np.arange(self.config.num_train_timesteps, 0, -step_ratio)).astype(np.int64)
 *       timesteps -= 1
 *
 * Coefficients are computed in float64 (diffusers keeps ᾱ in float64) and applied to float32 data.
 */
import { alphasCumprod } from './noise-schedule.ts';

export type SchedulerKind = 'cogvideox-ddim' | 'ddim';
export type PredictionType = 'v_prediction' | 'epsilon';

export interface SchedulerOptions {
  steps: number;
  /** cogvideox-ddim only; 3.0 for CogVideoX-2B. Default 3. */
  snrShiftScale?: number;
  /** Default 1000. */
  trainSteps?: number;
}

export interface SchedulerStep {
  /** x_{t−1}. */
  prevSample: Float32Array;
  /** The x0 the model output implies at this step. */
  predOriginal: Float32Array;
}

export interface DdimScheduler {
  readonly kind: SchedulerKind;
  readonly predictionType: PredictionType;
  readonly trainSteps: number;
  /** Descending timestep values, one per inference step. */
  readonly timesteps: readonly number[];
  /** ᾱ per train step (float64). */
  readonly alphasCumprod: Float64Array;
  step(modelOutput: Float32Array, timestep: number, sample: Float32Array): SchedulerStep;
}

/** numpy's `round`: halves go to the even neighbour (62.5 → 62, 937.5 → 938). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function trailingTimesteps(trainSteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps) {
    throw new RangeError(`steps must be an integer in 1..${trainSteps}, got ${steps}`);
  }
  const ratio = trainSteps / steps;
  return Array.from({ length: steps }, (_, k) => roundHalfEven(trainSteps - k * ratio) - 1);
}

export function createScheduler(kind: SchedulerKind, options: SchedulerOptions): DdimScheduler {
  const trainSteps = options.trainSteps ?? 1000;
  const cogvideox = kind === 'cogvideox-ddim';
  const ac = alphasCumprod({
    trainSteps,
    betaStart: 0.00085,
    betaEnd: 0.012,
    betaSchedule: 'scaled_linear',
    snrShiftScale: cogvideox ? (options.snrShiftScale ?? 3) : 1,
    rescaleZeroTerminalSnr: cogvideox,
  });
  const timesteps = trailingTimesteps(trainSteps, options.steps);
  // Integer division, as diffusers does, even though trailing timesteps step by trainSteps/steps.
  const stride = Math.floor(trainSteps / options.steps);
  const predictionType: PredictionType = cogvideox ? 'v_prediction' : 'epsilon';

  const step = (modelOutput: Float32Array, timestep: number, sample: Float32Array): SchedulerStep => {
    if (modelOutput.length !== sample.length)
      throw new RangeError(`model output has ${modelOutput.length} values, sample ${sample.length}`);
    if (!Number.isInteger(timestep) || timestep < 0 || timestep >= trainSteps)
      throw new RangeError(`timestep ${timestep} outside 0..${trainSteps - 1}`);
    const prev = timestep - stride;
    const aT = ac[timestep];
    const aPrev = prev >= 0 ? ac[prev] : 1; // set_alpha_to_one
    const predOriginal = new Float32Array(sample.length);
    const prevSample = new Float32Array(sample.length);
    if (predictionType === 'v_prediction') {
      const [sa, sb] = [Math.sqrt(aT), Math.sqrt(1 - aT)];
      const at = Math.sqrt((1 - aPrev) / (1 - aT));
      const bt = Math.sqrt(aPrev) - Math.sqrt(aT) * at;
      for (let i = 0; i < sample.length; i++) {
        predOriginal[i] = sa * sample[i] - sb * modelOutput[i];
        prevSample[i] = at * sample[i] + bt * predOriginal[i];
      }
    } else {
      const [sa, sb] = [Math.sqrt(aT), Math.sqrt(1 - aT)];
      const [pa, pb] = [Math.sqrt(aPrev), Math.sqrt(1 - aPrev)];
      for (let i = 0; i < sample.length; i++) {
        predOriginal[i] = (sample[i] - sb * modelOutput[i]) / sa;
        prevSample[i] = pa * predOriginal[i] + pb * modelOutput[i];
      }
    }
    return { prevSample, predOriginal };
  };

  return Object.freeze({ kind, predictionType, trainSteps, timesteps, alphasCumprod: ac, step });
}
