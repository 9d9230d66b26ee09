/**
 * Analysis windows. The Hann window here is the *periodic* one (scipy's `hann(N, sym=False)`,
 * what librosa and torch.stft use): its period is N, so overlapped frames at hop N/4 sum flat.
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';

/** Periodic Hann window of `length` samples: w[n] = ½ − ½·cos(2πn/length). */
export function hannWindow(length: number): Float64Array {
  requireParam('window length', length, isPositiveInteger, 'a positive integer');
  const w = new Float64Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

/**
 * Centres `window` inside `size` zeros, as librosa's `pad_center` does when win_length < n_fft
 * (the left margin is ⌊(size − length)/2⌋).
 */
export function padWindowCenter(window: Float64Array, size: number): Float64Array {
  if (window.length > size) {
    throw new DspError(`window length ${window.length} exceeds n_fft ${size}: expected win_length ≤ n_fft`);
  }
  const out = new Float64Array(size);
  out.set(window, Math.floor((size - window.length) / 2));
  return out;
}

/** Modified Bessel function of the first kind, order 0 (power series; converges for all x). */
export function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 500; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Kaiser window evaluated at a position u ∈ [−1, 1] (−1/1 = the window's ends; 0 = its centre).
 * β (dimensionless) trades main-lobe width for side-lobe level: ≈ 0.1102·(A − 8.7) for A dB.
 * Pass `i0OfBeta` = besselI0(β) when evaluating many points of one window.
 */
export function kaiserAt(u: number, beta: number, i0OfBeta = besselI0(beta)): number {
  if (u <= -1 || u >= 1) return 0;
  return besselI0(beta * Math.sqrt(1 - u * u)) / i0OfBeta;
}
