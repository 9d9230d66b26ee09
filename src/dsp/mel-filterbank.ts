/**
 * librosa's mel filterbank (`librosa.filters.mel`): triangular filters on FFT bins, their corners
 * equally spaced on the mel scale. With htk = false the scale is Slaney's (Auditory Toolbox):
 * linear below 1 kHz, logarithmic above; norm 'slaney' scales each triangle to unit area so bands
 * have equal energy regardless of width.
 *
 * The filterbank is stored dense (as librosa returns it) and with each band's non-zero bin range,
 * so applying it costs only the non-zero weights.
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';

export interface MelFilterbankOptions {
  /** Sample rate of the analysed signal, Hz. */
  sampleRate: number;
  /** FFT length the spectrum came from, samples; the bank has nFft/2 + 1 columns. */
  nFft: number;
  /** Number of mel bands. */
  nMels: number;
  /** Lowest corner frequency, Hz. @defaultValue 0 */
  fmin?: number;
  /** Highest corner frequency, Hz. @defaultValue sampleRate / 2 */
  fmax?: number;
  /** HTK's mel formula (2595·log10(1 + f/700)) instead of Slaney's. @defaultValue false */
  htk?: boolean;
  /** 'slaney' = unit-area triangles; null = peak 1. @defaultValue 'slaney' */
  norm?: 'slaney' | null;
}

export interface MelFilterbank {
  nMels: number;
  /** Spectrum bins per frame, nFft/2 + 1. */
  bins: number;
  /** Row-major [nMels][bins], librosa's layout. */
  weights: Float64Array;
  /** First and one-past-last non-zero bin of each band. */
  first: Int32Array;
  end: Int32Array;
}

const F_SP = 200 / 3; // Slaney: Hz per mel below 1 kHz
const MIN_LOG_HZ = 1000;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP; // 15
const LOG_STEP = Math.log(6.4) / 27;

/** Hz → mel (Slaney's scale unless htk). */
export function hzToMel(hz: number, htk = false): number {
  if (htk) return 2595 * Math.log10(1 + hz / 700);
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

/** mel → Hz (Slaney's scale unless htk). */
export function melToHz(mel: number, htk = false): number {
  if (htk) return 700 * (10 ** (mel / 2595) - 1);
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

export function melFilterbank(options: MelFilterbankOptions): MelFilterbank {
  const { sampleRate, nFft, nMels, fmin = 0, fmax = sampleRate / 2, htk = false, norm = 'slaney' } = options;
  requireParam('sampleRate', sampleRate, (v) => v > 0, 'a positive number (Hz)');
  requireParam('nFft', nFft, (v) => isPositiveInteger(v) && v % 2 === 0, 'a positive even integer (samples)');
  requireParam('nMels', nMels, isPositiveInteger, 'a positive integer');
  requireParam('fmin', fmin, (v) => v >= 0, 'a frequency ≥ 0 Hz');
  requireParam('fmax', fmax, (v) => v > fmin, `a frequency above fmin = ${fmin} Hz`);
  if (norm !== 'slaney' && norm !== null) {
    throw new DspError(`mel norm = "${String(norm)}": expected "slaney" or null`);
  }
  const bins = nFft / 2 + 1;
  // numpy.linspace over mel, then back to Hz: the nMels + 2 triangle corners.
  const melMin = hzToMel(fmin, htk);
  const melMax = hzToMel(fmax, htk);
  const corners = new Float64Array(nMels + 2);
  const step = (melMax - melMin) / (nMels + 1);
  for (let i = 0; i < nMels + 2; i++) {
    corners[i] = melToHz(i === nMels + 1 ? melMax : melMin + i * step, htk);
  }
  const weights = new Float64Array(nMels * bins);
  const first = new Int32Array(nMels);
  const end = new Int32Array(nMels);
  for (let m = 0; m < nMels; m++) {
    const lo = corners[m],
      mid = corners[m + 1],
      hi = corners[m + 2];
    const scale = norm === 'slaney' ? 2 / (hi - lo) : 1;
    first[m] = bins;
    for (let k = 0; k < bins; k++) {
      const f = (k * sampleRate) / nFft;
      const rising = (f - lo) / (mid - lo);
      const falling = (hi - f) / (hi - mid);
      const w = Math.max(0, Math.min(rising, falling));
      if (w > 0) {
        weights[m * bins + k] = w * scale;
        if (first[m] === bins) first[m] = k;
        end[m] = k + 1;
      }
    }
    if (first[m] === bins) first[m] = end[m] = 0; // an empty band (too narrow for the FFT)
  }
  return { nMels, bins, weights, first, end };
}

/** out[m] = Σ_k weights[m][k]·spectrum[k]: one frame's mel energies. */
export function applyMelFilterbank(bank: MelFilterbank, spectrum: ArrayLike<number>, out: Float64Array): void {
  const { weights, first, end, bins } = bank;
  for (let m = 0; m < bank.nMels; m++) {
    let acc = 0;
    const row = m * bins;
    for (let k = first[m]; k < end[m]; k++) acc += weights[row + k] * spectrum[k];
    out[m] = acc;
  }
}
