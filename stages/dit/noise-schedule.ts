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
