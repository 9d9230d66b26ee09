/**
 * DPM-Solver++(2M) (Lu et al. 2022, arXiv 2211.01095, Algorithm 2): the deterministic multistep
 * second-order solver of the diffusion ODE in data-prediction (x0) form, with CogVideoX's schedule.
 *
 * Followed: huggingface/diffusers `src/diffusers/schedulers/scheduling_dpmsolver_multistep.py`,
 * DPMSolverMultistepScheduler with algorithm_type "dpmsolver++", solver_order 2, solver_type
 * "midpoint", final_sigmas_type "zero", lower_order_final, timestep_spacing "trailing",
 * prediction_type "v_prediction". The noise schedule is CogVideoX's (noise-schedule.ts: scaled_linear
 * in float64, SNR shift, zero-terminal-SNR rescale of ᾱ), whose last ᾱ is then set to 2^-24 as
 * DPMSolverMultistepScheduler does under rescale_betas_zero_snr, so λ stays finite.
 *
 * Why not CogVideoXDPMScheduler (`scheduling_dpm_cogvideox.py`), whose settings these are: its
 * `step` is the *stochastic* SDE-DPM-Solver++(2M): every step adds fresh Gaussian noise
 *
 *       mult1 = ((1 - alpha_prod_t_prev) / (1 - alpha_prod_t)) ** 0.5 * (-h).exp()
 *       mult2 = (-2 * h).expm1() * alpha_prod_t_prev**0.5
 *       mult_noise = (1 - alpha_prod_t_prev) ** 0.5 * (1 - (-2 * h).exp()) ** 0.5
 *       prev_sample = mult[0] * sample - mult[1] * pred_original_sample + mult_noise * noise
 *
 * (the "sde-dpmsolver++" update of DPMSolverMultistepScheduler), whatever `eta` says. Dropping its
 * noise term does not give an ODE solver, so the plain (ODE) DPM-Solver++(2M) is what is done
 * here; it shares that scheduler's schedule, its x0 parameterisation and its 2M extrapolation
 * `D = (1 + 1/(2r))·x0 − 1/(2r)·x0_prev`, and has the same clean end.
 *
 * With α_t = √ᾱ_t, σ_t = √(1 − ᾱ_t), λ_t = log α_t − log σ_t (diffusers reaches the same α, σ from
 * its float32 σ = √((1 − ᾱ)/ᾱ) grid; here they stay float64), `convert_model_output`:
 *
 *       x0_pred = alpha_t * sample - sigma_t * model_output          # v_prediction
 *
 * `dpm_solver_first_order_update` (DDIM in λ), used at the first step and, as the final σ is 0, at
 * the last one:
 *
 *       h = lambda_t - lambda_s
 *       x_t = (sigma_t / sigma_s) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * model_output
 *
 * `multistep_dpm_solver_second_order_update`, every other step:
 *
 *       h, h_0 = lambda_t - lambda_s0, lambda_s0 - lambda_s1
 *       r0 = h_0 / h
 *       D0, D1 = m0, (1.0 / r0) * (m0 - m1)
 *       x_t = (sigma_t / sigma_s0) * sample - (alpha_t * (torch.exp(-h) - 1.0)) * D0
 *             - 0.5 * (alpha_t * (torch.exp(-h) - 1.0)) * D1
 *
 * `add_noise`: `alpha_t * original_samples + sigma_t * noise`. The model input is not scaled and
 * the initial noise is unit (init_noise_sigma 1). x0 predictions are kept as float32 (diffusers'
 * `model_outputs`); coefficients are float64.
 */
import { cogvideoxAlphasCumprod, trailingTimesteps, withFiniteTerminalSnr } from './noise-schedule.ts';
import type { Sampler, SamplerSettings, SamplerStep } from './sampler.ts';

export function createDpmSolverSampler(settings: SamplerSettings): Sampler {
  const { steps, trainSteps } = settings;
  const ac = withFiniteTerminalSnr(cogvideoxAlphasCumprod(trainSteps, settings.snrShiftScale));
  const timesteps = trailingTimesteps(trainSteps, steps);
  // The grid: one noise level per timestep, then the clean end (final_sigmas_type "zero").
  const alpha = [...timesteps.map((t) => Math.sqrt(ac[t])), 1];
  const sigma = [...timesteps.map((t) => Math.sqrt(1 - ac[t])), 0];
  const lambda = alpha.map((a, i) => Math.log(a) - Math.log(sigma[i])); // +∞ at the clean end
  let previousX0: Float32Array | undefined;
  let taken = 0;

  const step = (modelOutput: Float32Array, stepIndex: number, sample: Float32Array): SamplerStep => {
    if (stepIndex !== taken) {
      throw new RangeError(
        `DPM-Solver++(2M) takes its steps in order (it keeps the previous x0): expected step ${taken}, got ${stepIndex}`,
      );
    }
    const i = stepIndex;
    const n = sample.length;
    const predOriginal = new Float32Array(n);
    for (let k = 0; k < n; k++) predOriginal[k] = alpha[i] * sample[k] - sigma[i] * modelOutput[k];
    const h = lambda[i + 1] - lambda[i];
    const decay = sigma[i + 1] / sigma[i];
    const gain = -alpha[i + 1] * Math.expm1(-h); // α_t·(1 − e^{−h}); α_t at the clean end
    const prevSample = new Float32Array(n);
    const firstOrder = previousX0 === undefined || i === steps - 1;
    if (firstOrder) {
      for (let k = 0; k < n; k++) prevSample[k] = decay * sample[k] + gain * predOriginal[k];
    } else {
      const old = previousX0 as Float32Array;
      const halfOverR = 0.5 / ((lambda[i] - lambda[i - 1]) / h);
      for (let k = 0; k < n; k++) {
        const d = predOriginal[k] + halfOverR * (predOriginal[k] - old[k]); // D0 + D1/2
        prevSample[k] = decay * sample[k] + gain * d;
      }
    }
    previousX0 = predOriginal;
    taken++;
    return { prevSample, predOriginal };
  };

  const addNoise = (original: Float32Array, noise: Float32Array, stepIndex: number): Float32Array =>
    original.map((x, k) => alpha[stepIndex] * x + sigma[stepIndex] * noise[k]);

  return {
    kind: 'dpm-solver++',
    predictionType: 'v_prediction',
    trainSteps,
    timesteps,
    initNoiseSigma: 1,
    scaleModelInput: (sample) => sample,
    step,
    addNoise,
  };
}
