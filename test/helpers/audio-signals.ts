/** Test signals and comparisons for audio stages: a speech-like glide, joins and differences. */

/**
 * A voiced glide from `f0From` to `f0To` Hz with harmonics, a pause at 1.1–1.35 s and a little
 * seeded noise: enough pitch and silence for RVC's pitch tracker and the content encoder.
 */
export function speechLike(seconds: number, f0From: number, f0To: number, rate: number): Float32Array {
  const n = Math.round(seconds * rate);
  const out = new Float32Array(n);
  let phase = 0;
  let seed = 7;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    phase += (2 * Math.PI * (f0From + ((f0To - f0From) * t) / seconds)) / rate;
    const gate = t > 1.1 && t < 1.35 ? 0 : 0.5 - 0.5 * Math.cos(2 * Math.PI * 3 * t);
    seed = (seed * 1103515245 + 12345) >>> 0;
    out[i] =
      0.3 * gate * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase)) +
      0.003 * (seed / 2 ** 32 - 0.5);
  }
  return out;
}

/** ‖a − b‖ ÷ ‖b‖. */
export function relativeRms(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

export { concatFloat32 as concatFloat } from '../../src/dsp/concat.ts';

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
