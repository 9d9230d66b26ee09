/**
 * Time-domain filters: pre-emphasis (Wav2Lip), and Butterworth IIR filters applied forward-backward
 * (RVC's `signal.filtfilt(*signal.butter(5, 48, 'high', fs=16000), audio)`).
 *
 * The Butterworth filter is kept as second-order sections rather than one order-N polynomial:
 * at 48 Hz / 16 kHz the poles sit within 0.02 of z = 1, where expanded polynomial coefficients
 * lose digits; sections keep each pole pair exact. The response is the same filter scipy designs
 * (bilinear transform with the cutoff pre-warped).
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';

/**
 * y[n] = x[n] − coef·x[n−1] (scipy `lfilter([1, −coef], [1], x)`).
 * @param coef pre-emphasis coefficient (dimensionless), e.g. 0.97.
 * @param previousSample the sample before x[0] when x continues an earlier chunk; 0 at a clip's start.
 */
export function preEmphasis(x: Float32Array, coef: number, previousSample = 0): Float32Array {
  const y = new Float32Array(x.length);
  let prev = previousSample;
  for (let n = 0; n < x.length; n++) {
    const v = x[n];
    y[n] = v - coef * prev;
    prev = v;
  }
  return y;
}

/** A cascade of biquads: section s is sos[6s … 6s+5] = b0 b1 b2 a0(=1) a1 a2 (scipy's layout). */
export interface SosFilter {
  sos: Float64Array;
  sections: number;
  /** Filter order (number of poles). */
  order: number;
}

export interface ButterworthOptions {
  /** Number of poles (1 … 20). */
  order: number;
  /** −3 dB frequency, Hz, below sampleRate / 2. */
  cutoff: number;
  /** Sample rate, Hz. */
  sampleRate: number;
  type: 'highpass' | 'lowpass';
}

/** Digital Butterworth filter, as scipy.signal.butter(order, cutoff, type, fs=sampleRate, output='sos'). */
export function butterworth(options: ButterworthOptions): SosFilter {
  const { order, cutoff, sampleRate, type } = options;
  requireParam('order', order, (v) => isPositiveInteger(v) && v <= 20, 'an integer in [1, 20]');
  requireParam('sampleRate', sampleRate, (v) => v > 0, 'a positive number (Hz)');
  requireParam('cutoff', cutoff, (v) => v > 0 && v < sampleRate / 2, `a frequency in (0, ${sampleRate / 2}) Hz`);
  if (type !== 'highpass' && type !== 'lowpass') {
    throw new DspError(`Butterworth type = "${String(type)}": expected "highpass" or "lowpass"`);
  }
  const fs2 = 2 * sampleRate;
  const warped = fs2 * Math.tan((Math.PI * cutoff) / sampleRate); // rad/s, so the −3 dB point lands at `cutoff`
  const sections = Math.ceil(order / 2);
  const sos = new Float64Array(6 * sections);
  const zeroSign = type === 'highpass' ? -1 : 1; // zeros at z = 1 (high-pass) or z = −1 (low-pass)
  for (let s = 0; s < sections; s++) {
    // Analog prototype pole p = e^(iπ(2k + N + 1)/(2N)); k = s and its conjugate N−1−s.
    const angle = (Math.PI * (2 * s + order + 1)) / (2 * order);
    let pr = Math.cos(angle),
      pi = Math.sin(angle);
    if (type === 'highpass') {
      const d = pr * pr + pi * pi; // s = ωc / p
      [pr, pi] = [(warped * pr) / d, (-warped * pi) / d];
    } else {
      [pr, pi] = [warped * pr, warped * pi];
    }
    // Bilinear transform z = (2fs + s) / (2fs − s).
    const dr = fs2 - pr,
      di = -pi;
    const dd = dr * dr + di * di;
    const nr = fs2 + pr,
      ni = pi;
    const zr = (nr * dr + ni * di) / dd,
      zi = (ni * dr - nr * di) / dd;
    const o = 6 * s;
    const real = 2 * s + 1 === order;
    if (real) {
      sos.set([1, zeroSign, 0, 1, -zr, 0], o);
    } else {
      sos.set([1, 2 * zeroSign, 1, 1, -2 * zr, zr * zr + zi * zi], o);
    }
    // Unit gain where the Butterworth response is 1: DC (low-pass) or Nyquist (high-pass).
    const z = type === 'highpass' ? -1 : 1;
    const gain = (sos[o] + sos[o + 1] * z + sos[o + 2]) / (1 + sos[o + 4] * z + sos[o + 5]);
    for (let i = 0; i < 3; i++) sos[o + i] /= gain;
  }
  return { sos, sections, order };
}

/** Filters `data` in place through the cascade (transposed direct form II), updating `state` (2 per section). */
function sosFilterInPlace(filter: SosFilter, data: Float64Array, state: Float64Array, reverse: boolean): void {
  const { sos, sections } = filter;
  for (let s = 0; s < sections; s++) {
    const b0 = sos[6 * s],
      b1 = sos[6 * s + 1],
      b2 = sos[6 * s + 2],
      a1 = sos[6 * s + 4],
      a2 = sos[6 * s + 5];
    let z1 = state[2 * s],
      z2 = state[2 * s + 1];
    const n = data.length;
    for (let i = 0; i < n; i++) {
      const j = reverse ? n - 1 - i : i;
      const x = data[j];
      const y = b0 * x + z1;
      z1 = b1 * x - a1 * y + z2;
      z2 = b2 * x - a2 * y;
      data[j] = y;
    }
    state[2 * s] = z1;
    state[2 * s + 1] = z2;
  }
}

/** Steady-state section states for a unit step (scipy's sosfilt_zi), to start without a transient. */
function stepStates(filter: SosFilter): Float64Array {
  const { sos, sections } = filter;
  const zi = new Float64Array(2 * sections);
  let scale = 1;
  for (let s = 0; s < sections; s++) {
    const b0 = sos[6 * s],
      b1 = sos[6 * s + 1],
      b2 = sos[6 * s + 2],
      a1 = sos[6 * s + 4],
      a2 = sos[6 * s + 5];
    const z1 = (b1 - a1 * b0 + (b2 - a2 * b0)) / (1 + a1 + a2);
    zi[2 * s] = scale * z1;
    zi[2 * s + 1] = scale * (b2 - a2 * b0 - a2 * z1);
    scale *= (b0 + b1 + b2) / (1 + a1 + a2);
  }
  return zi;
}

/** One-pass causal filtering (scipy sosfilt with zero initial state). */
export function sosFilter(filter: SosFilter, x: Float32Array): Float32Array {
  const data = Float64Array.from(x);
  sosFilterInPlace(filter, data, new Float64Array(2 * filter.sections), false);
  return Float32Array.from(data);
}

export interface FiltfiltOptions {
  /**
   * Samples of odd extension added at each end before filtering, to tame edge transients.
   * @defaultValue 3·(order + 1), scipy's filtfilt default for the (b, a) form RVC uses.
   */
  padLength?: number;
}

/**
 * Zero-phase filtering (scipy `filtfilt`, padtype 'odd', steady-state initial conditions):
 * forward, then backward, so the magnitude response is squared and the phase is zero.
 */
export function filtfilt(filter: SosFilter, x: Float32Array, options: FiltfiltOptions = {}): Float32Array {
  const n = x.length;
  if (n === 0) return new Float32Array(0);
  const pad = Math.min(options.padLength ?? 3 * (filter.order + 1), n - 1);
  requireParam('padLength', pad, (v) => Number.isInteger(v) && v >= 0, 'an integer ≥ 0 (samples)');
  const ext = new Float64Array(n + 2 * pad);
  const first = x[0],
    last = x[n - 1];
  for (let i = 0; i < pad; i++) {
    ext[i] = 2 * first - x[pad - i];
    ext[pad + n + i] = 2 * last - x[n - 2 - i];
  }
  for (let i = 0; i < n; i++) ext[pad + i] = x[i];
  const zi = stepStates(filter);
  const state = zi.map((z) => z * ext[0]);
  sosFilterInPlace(filter, ext, state, false);
  const end = ext[ext.length - 1];
  for (let i = 0; i < state.length; i++) state[i] = zi[i] * end;
  sosFilterInPlace(filter, ext, state, true);
  return Float32Array.from(ext.subarray(pad, pad + n));
}

/** RVC's input high-pass: Butterworth order 5 at 48 Hz, zero-phase, for 16 kHz audio. */
export function rvcHighPass(wav16k: Float32Array): Float32Array {
  return filtfilt(butterworth({ order: 5, cutoff: 48, sampleRate: 16000, type: 'highpass' }), wav16k);
}
