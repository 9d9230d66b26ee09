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
 * `addNoise` is DDPMScheduler.add_noise, which both copy:
 *
 *       noisy_samples = sqrt_alpha_prod * original_samples + sqrt_one_minus_alpha_prod * noise
 *
 * Note `prev_timestep` steps by the integer `num_train_timesteps // num_inference_steps`, so when
 * the steps do not divide the train steps it is not the next trailing timestep (1000/3: 666 → 333,
 * while the next timestep is 332). Kept, as diffusers has it.
 *
 * Coefficients are computed in float64 (diffusers keeps ᾱ in float64) and applied to float32 data.
 */
import { alphasCumprod, cogvideoxAlphasCumprod, trailingTimesteps } from './noise-schedule.ts';
import type { Sampler, SamplerSettings, SamplerStep } from './sampler.ts';

export function createDdimSampler(kind: 'cogvideox-ddim' | 'ddim', settings: SamplerSettings): Sampler {
  const { steps, trainSteps } = settings;
  const cogvideox = kind === 'cogvideox-ddim';
  const ac = cogvideox
    ? cogvideoxAlphasCumprod(trainSteps, settings.snrShiftScale)
    : alphasCumprod({ trainSteps, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' });
  const timesteps = trailingTimesteps(trainSteps, steps);
  // Integer division, as diffusers does, even though trailing timesteps step by trainSteps/steps.
  const stride = Math.floor(trainSteps / steps);

  const step = (modelOutput: Float32Array, stepIndex: number, sample: Float32Array): SamplerStep => {
    const timestep = timesteps[stepIndex];
    const prev = timestep - stride;
    const aT = ac[timestep];
    const aPrev = prev >= 0 ? ac[prev] : 1; // set_alpha_to_one
    const predOriginal = new Float32Array(sample.length);
    const prevSample = new Float32Array(sample.length);
    const [sa, sb] = [Math.sqrt(aT), Math.sqrt(1 - aT)];
    if (cogvideox) {
      const at = Math.sqrt((1 - aPrev) / (1 - aT));
      const bt = Math.sqrt(aPrev) - Math.sqrt(aT) * at;
      for (let i = 0; i < sample.length; i++) {
        predOriginal[i] = sa * sample[i] - sb * modelOutput[i];
        prevSample[i] = at * sample[i] + bt * predOriginal[i];
      }
    } else {
      const [pa, pb] = [Math.sqrt(aPrev), Math.sqrt(1 - aPrev)];
      for (let i = 0; i < sample.length; i++) {
        predOriginal[i] = (sample[i] - sb * modelOutput[i]) / sa;
        prevSample[i] = pa * predOriginal[i] + pb * modelOutput[i];
      }
    }
    return { prevSample, predOriginal };
  };

  const addNoise = (original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array => {
    const a = ac[timesteps[stepIndex]];
    const [sa, sb] = [Math.sqrt(a), Math.sqrt(1 - a)];
    return original.map((x, i) => sa * x + sb * noise[i]);
  };

  return {
    kind,
    predictionType: cogvideox ? 'v_prediction' : 'epsilon',
    trainSteps,
    timesteps,
    initNoiseSigma: 1,
    scaleModelInput: (sample) => sample,
    step,
    addNoise,
  };
}
