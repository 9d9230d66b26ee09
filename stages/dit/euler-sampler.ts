/**
 * Euler's method on the probability-flow ODE in σ-space (Karras et al. 2022, Algorithm 1 without
 * churn), with CogVideoX's schedule. Followed: huggingface/diffusers
 * `src/diffusers/schedulers/scheduling_euler_discrete.py`, EulerDiscreteScheduler with
 * prediction_type "v_prediction", timestep_spacing "trailing", interpolation_type "linear",
 * final_sigmas_type "zero", rescale_betas_zero_snr, and `step`'s defaults (s_churn 0: no noise).
 * ᾱ is CogVideoX's (noise-schedule.ts: scaled_linear in float64, SNR shift, zero-SNR rescale);
 * the scheduler then sets its last value to 2^-24 so that the first σ is finite (≈ 4096).
 *
 * Samples live in σ-space, x̃ = x0 + σ·ε = x/√ᾱ with σ = √((1 − ᾱ)/ᾱ). From `set_timesteps` and
 * `init_noise_sigma` (the trailing timesteps are whole, so `np.interp` just reads σ there):
 *
 *       sigmas = np.array(((1 - self.alphas_cumprod) / self.alphas_cumprod) ** 0.5)
 *       sigmas = np.interp(timesteps, np.arange(0, len(sigmas)), sigmas)
 *       sigmas = np.concatenate([sigmas, [sigma_last]]).astype(np.float32)      # sigma_last = 0
 *       if self.config.timestep_spacing in ["linspace", "trailing"]: return max_sigma
 *
 * `scale_model_input` (the transformer sees x̃/√(σ² + 1) = x, the usual VP sample):
 *
 *       sample = sample / ((sigma**2 + 1) ** 0.5)
 *
 * `step` with gamma 0 (so sigma_hat = sigma):
 *
 *       pred_original_sample = model_output * (-sigma / (sigma**2 + 1) ** 0.5) + (sample / (sigma**2 + 1))
 *       derivative = (sample - pred_original_sample) / sigma_hat
 *       dt = self.sigmas[self.step_index + 1] - sigma_hat
 *       prev_sample = sample + derivative * dt
 *
 * `add_noise`: `noisy_samples = original_samples + noise * sigma`. σ stays float64 here (diffusers
 * rounds its grid to float32), and each element's step is computed in float64: x̃ ≈ 4096·ε at the
 * first step, and `sample + derivative * dt` cancels most of it.
 */
import { cogvideoxAlphasCumprod, trailingTimesteps, withFiniteTerminalSnr } from './noise-schedule.ts';
import type { Sampler, SamplerSettings, SamplerStep } from './sampler.ts';

export function createEulerSampler(settings: SamplerSettings): Sampler {
  const { steps, trainSteps } = settings;
  const ac = withFiniteTerminalSnr(cogvideoxAlphasCumprod(trainSteps, settings.snrShiftScale));
  const timesteps = trailingTimesteps(trainSteps, steps);
  const sigmas = [...timesteps.map((t) => Math.sqrt((1 - ac[t]) / ac[t])), 0];

  const scaleModelInput = (sample: Float32Array, stepIndex: number): Float32Array => {
    const scale = 1 / Math.sqrt(sigmas[stepIndex] ** 2 + 1);
    return sample.map((x) => x * scale);
  };

  const step = (modelOutput: Float32Array, stepIndex: number, sample: Float32Array): SamplerStep => {
    const sigma = sigmas[stepIndex];
    const cOut = -sigma / Math.sqrt(sigma ** 2 + 1);
    const cSkip = 1 / (sigma ** 2 + 1);
    const dt = sigmas[stepIndex + 1] - sigma;
    const predOriginal = new Float32Array(sample.length);
    const prevSample = new Float32Array(sample.length);
    for (let k = 0; k < sample.length; k++) {
      const x0 = modelOutput[k] * cOut + sample[k] * cSkip;
      predOriginal[k] = x0;
      prevSample[k] = sample[k] + ((sample[k] - x0) / sigma) * dt;
    }
    return { prevSample, predOriginal };
  };

  const addNoise = (original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array =>
    original.map((x, k) => x + noise[k] * sigmas[stepIndex]);

  return {
    kind: 'euler',
    predictionType: 'v_prediction',
    trainSteps,
    timesteps,
    initNoiseSigma: Math.max(...sigmas),
    scaleModelInput,
    step,
    addNoise,
  };
}
