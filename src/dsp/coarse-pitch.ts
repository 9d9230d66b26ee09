/**
 * RVC's pitch inputs (RVC-Project `infer/modules/vc/pipeline.py`): the model takes both the F0
 * in Hz (`pitchf`, 0 = unvoiced) and a coarse pitch index 1 … 255 (`pitch`) on the mel scale:
 *   m = 1127·ln(1 + f0/700);  voiced: (m − m_min)·254/(m_max − m_min) + 1, clipped to [1, 255]
 *   and rounded half-to-even (np.rint); unvoiced → 1; m_min, m_max from 50 / 1100 Hz.
 */
import { requireParam } from './errors.ts';

export const RVC_F0_RANGE = {
  /** Hz */ fmin: 50,
  /** Hz */ fmax: 1100,
} as const;

export interface CoarsePitchOptions {
  /** F0 mapped to index 1, Hz. @defaultValue 50 */
  fmin?: number;
  /** F0 mapped to index 255, Hz. @defaultValue 1100 */
  fmax?: number;
}

/** Hz → mel as RVC computes it (HTK's formula with the natural log: 1127·ln(1 + f/700)). */
export function rvcMel(f0: number): number {
  return 1127 * Math.log(1 + f0 / 700);
}

/** numpy's rint: rounds halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Coarse pitch index per frame, 1 … 255 (RVC's `pitch` input; widen to int64 for the model). */
export function coarsePitch(f0: Float32Array, options: CoarsePitchOptions = {}): Int32Array {
  const { fmin = RVC_F0_RANGE.fmin, fmax = RVC_F0_RANGE.fmax } = options;
  requireParam('fmin', fmin, (v) => v > 0, 'a positive frequency (Hz)');
  requireParam('fmax', fmax, (v) => v > fmin, `a frequency above fmin = ${fmin} Hz`);
  const melMin = rvcMel(fmin);
  const melMax = rvcMel(fmax);
  const scale = 254 / (melMax - melMin);
  const out = new Int32Array(f0.length);
  for (let i = 0; i < f0.length; i++) {
    let m = rvcMel(f0[i]);
    if (m > 0) m = (m - melMin) * scale + 1;
    out[i] = m <= 1 ? 1 : m > 255 ? 255 : roundHalfEven(m);
  }
  return out;
}

/**
 * Shifts F0 by `semitones` (RVC's `f0_up_key`): f0·2^(semitones/12). Unvoiced frames stay 0.
 * @param semitones transposition, semitones (12 = one octave up, may be fractional or negative).
 */
export function transposeF0(f0: Float32Array, semitones: number): Float32Array {
  requireParam('semitones', semitones, () => true, 'a finite number');
  const factor = 2 ** (semitones / 12);
  const out = new Float32Array(f0.length);
  for (let i = 0; i < f0.length; i++) out[i] = f0[i] * factor;
  return out;
}
