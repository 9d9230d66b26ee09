/**
 * The cumulative signal level ᾱ_t of a diffusion noise schedule, t = 0 … trainSteps − 1, in
 * float64 as diffusers computes it. Followed: huggingface/diffusers
 * `src/diffusers/schedulers/scheduling_ddim_cogvideox.py` (CogVideoXDDIMScheduler.__init__):
 *
 *     self.betas = torch.linspace(beta_start**0.5, beta_end**0.5, num_train_timesteps, dtype=torch.float64) ** 2
 *     self.alphas = 1.0 - self.betas
 *     self.alphas_cumprod = torch.cumprod(self.alphas, dim=0)
 *     # Modify: SNR shift following SD3
 *     self.alphas_cumprod = self.alphas_cumprod / (snr_shift_scale + (1 - snr_shift_scale) * self.alphas_cumprod)
 *     if rescale_betas_zero_snr:
 *         self.alphas_cumprod = rescale_zero_terminal_snr(self.alphas_cumprod)
 *
 * Note the order: the SNR shift comes first, then the zero-terminal-SNR rescale.
 *
 * Also here: the inference timesteps ("trailing" spacing, shared by every sampler of the stage)
 * and the terminal ᾱ that σ-parameterised samplers substitute for the zero-SNR end.
 */

export interface NoiseScheduleConfig {
  /** Default 1000. */
  trainSteps?: number;
  /** Default 0.00085. */
  betaStart?: number;
  /** Default 0.012. */
  betaEnd?: number;
  /** `scaled_linear` (latent diffusion, the CogVideoX default) or `linear`. */
  betaSchedule?: 'scaled_linear' | 'linear';
  /** SD3-style shift `ᾱ ← ᾱ / (s + (1 − s)·ᾱ)`; 1 leaves ᾱ as it is. Default 1. */
  snrShiftScale?: number;
  /** Rescale so ᾱ at the last train step is exactly 0 (Lin et al. 2023, Algorithm 1). Default false. */
  rescaleZeroTerminalSnr?: boolean;
}

/** numpy/torch `linspace`: `start + i·step`, computed from the end for the upper half as torch does. */
function linspace(start: number, end: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = start;
    return out;
  }
  const step = (end - start) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = i < n / 2 ? start + i * step : end - (n - 1 - i) * step;
  return out;
}

export function betaSchedule(config: NoiseScheduleConfig = {}): Float64Array {
  const n = config.trainSteps ?? 1000;
  const start = config.betaStart ?? 0.00085;
  const end = config.betaEnd ?? 0.012;
  if ((config.betaSchedule ?? 'scaled_linear') === 'linear') return linspace(start, end, n);
  return linspace(Math.sqrt(start), Math.sqrt(end), n).map((b) => b * b);
}

/**
 * diffusers `rescale_zero_terminal_snr(alphas_cumprod)`: shift √ᾱ so its last value is 0, then
 * scale so its first value is unchanged.
 */
export function rescaleZeroTerminalSnr(alphasCumprod: Float64Array): Float64Array {
  const sqrt = alphasCumprod.map(Math.sqrt);
  const first = sqrt[0];
  const last = sqrt[sqrt.length - 1];
  return sqrt.map((s) => {
    const r = (s - last) * (first / (first - last));
    return r * r;
  });
}

export function alphasCumprod(config: NoiseScheduleConfig = {}): Float64Array {
  const betas = betaSchedule(config);
  let ac = new Float64Array(betas.length);
  let product = 1;
  for (let i = 0; i < betas.length; i++) ac[i] = product *= 1 - betas[i];
  const s = config.snrShiftScale ?? 1;
  if (s !== 1) ac = ac.map((a) => a / (s + (1 - s) * a));
  return config.rescaleZeroTerminalSnr ? rescaleZeroTerminalSnr(ac) : ac;
}

/** The CogVideoX schedule: scaled_linear 0.00085–0.012, the SNR shift, then the zero-terminal-SNR rescale. */
export function cogvideoxAlphasCumprod(trainSteps: number, snrShiftScale: number): Float64Array {
  return alphasCumprod({
    trainSteps,
    betaStart: 0.00085,
    betaEnd: 0.012,
    betaSchedule: 'scaled_linear',
    snrShiftScale,
    rescaleZeroTerminalSnr: true,
  });
}

/**
 * What diffusers' σ-parameterised schedulers (DPMSolverMultistepScheduler, EulerDiscreteScheduler)
 * put in place of the zero-SNR end, so that σ = √((1 − ᾱ)/ᾱ) stays finite at the first step:
 *
 *     if rescale_betas_zero_snr:
 *         # Close to 0 without being 0 so first sigma is not inf
 *         # FP16 smallest positive subnormal works well here
 *         self.alphas_cumprod[-1] = 2**-24
 */
const ZERO_SNR_TERMINAL_ALPHA_CUMPROD = 2 ** -24;

/** A copy of `alphasCumprod` with its last (zero-SNR) value replaced by 2^-24. */
export function withFiniteTerminalSnr(alphasCumprod: Float64Array): Float64Array {
  const out = alphasCumprod.slice();
  out[out.length - 1] = ZERO_SNR_TERMINAL_ALPHA_CUMPROD;
  return out;
}

/** numpy's `round`: halves go to the even neighbour (62.5 → 62, 937.5 → 938). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Descending inference timesteps with "trailing" spacing (Lin et al. 2023, Table 2), as every
 * diffusers scheduler used here writes it:
 *
 *     step_ratio = self.config.num_train_timesteps / self.num_inference_steps
 *     timesteps = np.round(np.arange(self.config.num_train_timesteps, 0, -step_ratio)).astype(np.int64)
 *     timesteps -= 1
 *
 * Whole numbers for every sampler (EulerDiscreteScheduler keeps them as float32, but whole).
 */
export function trailingTimesteps(trainSteps: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1 || steps > trainSteps) {
    throw new RangeError(`steps must be an integer in 1..${trainSteps}, got ${steps}`);
  }
  const ratio = trainSteps / steps;
  return Array.from({ length: steps }, (_, k) => roundHalfEven(trainSteps - k * ratio) - 1);
}
