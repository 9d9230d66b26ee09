/**
 * RVC's pitch inputs from an F0 track at 100 frames/s: transpose `f0·2^(key/12)`, then `pitchf`
 * (Hz, 0 unvoiced) and the coarse `pitch` 1..255 (src/dsp `coarsePitch`, RVC's mel-scale bins).
 * Auto-pitch picks the key that moves the source's median voiced F0 onto the reference's:
 * 12·log2(median_ref / median_src).
 */
import { coarsePitch, transposeF0 } from '../../src/dsp/index.ts';
import { InputError } from '../../src/core/errors.ts';

export interface RvcPitch {
  /** Coarse bins 1..255, one per frame. */
  pitch: Int32Array;
  /** F0 in Hz after transposition, 0 = unvoiced. */
  pitchf: Float32Array;
}

export function rvcPitchInputs(
  f0: Float32Array,
  semitones = 0,
  range: { fmin?: number; fmax?: number } = {},
): RvcPitch {
  const pitchf = transposeF0(f0, semitones);
  return { pitchf, pitch: coarsePitch(pitchf, range) };
}

/** Median of the voiced (> 0) values, or undefined if none. */
export function voicedMedian(f0: Float32Array): number | undefined {
  const voiced = Array.from(f0)
    .filter((v) => v > 0)
    .sort((a, b) => a - b);
  if (voiced.length === 0) return undefined;
  const mid = voiced.length >> 1;
  return voiced.length % 2 ? voiced[mid] : (voiced[mid - 1] + voiced[mid]) / 2;
}

/** Semitones that bring the source's median voiced F0 to the reference's. */
export function autoPitchShift(sourceF0: Float32Array, referenceF0: Float32Array): number {
  const src = voicedMedian(sourceF0);
  const ref = voicedMedian(referenceF0);
  if (src === undefined || ref === undefined) {
    throw new InputError(
      `auto-pitch needs voiced frames in both signals: source has ${src === undefined ? 'none' : 'some'}, reference has ${ref === undefined ? 'none' : 'some'}`,
    );
  }
  return 12 * Math.log2(ref / src);
}
