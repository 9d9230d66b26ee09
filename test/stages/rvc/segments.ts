/**
 * RVC's long-input rule, for the tests' whole-clip oracle (the rvc stage works on chunks):
 * `infer/modules/vc/pipeline.py`, fp32 config x_pad 1, x_query 6, x_center 38, x_max 41 s. Only a
 * clip whose reflect-padded length exceeds x_max is cut: near every multiple of x_center the cut
 * goes to the first minimum, within ±x_query, of the 160-sample moving |amplitude| sum
 * (sum[i] = Σ|a[i−80 … i+79]|, the clip reflect-padded by 80), rounded down to a 160-sample frame.
 * Each segment [s, t) is run with x_pad of context each side (the clip itself is reflect-padded by
 * x_pad), and x_pad·rate is trimmed off each side of its output.
 */
import { InputError } from '../../../src/core/errors.ts';

export interface RvcSegmentOptions {
  /** Context each side, seconds. @defaultValue 1 */
  padSeconds?: number;
  /** Search half-width around each target cut, seconds. @defaultValue 6 */
  querySeconds?: number;
  /** Distance between target cuts, seconds. @defaultValue 38 */
  centerSeconds?: number;
  /** Clips whose padded length is at most this are not cut, seconds. @defaultValue 41 */
  maxSeconds?: number;
}

export const RVC_WINDOW = 160;
const RATE = 16000;

/** numpy reflect padding (edge not repeated). */
export function reflectPad(x: Float32Array, before: number, after: number): Float32Array {
  if (x.length < 2 && before + after > 0) throw new InputError(`cannot reflect-pad a ${x.length}-sample signal`);
  const out = new Float32Array(x.length + before + after);
  const period = 2 * (x.length - 1);
  for (let i = 0; i < out.length; i++) {
    let j = (((i - before) % period) + period) % period;
    if (j >= x.length) j = period - j;
    out[i] = x[j];
  }
  return out;
}

/** Cut points in samples of the (unpadded) 16 kHz clip, frame-aligned; [] when the clip is short. */
export function rvcCutPoints(audio16k: Float32Array, options: RvcSegmentOptions = {}): number[] {
  const { querySeconds = 6, centerSeconds = 38, maxSeconds = 41 } = options;
  const half = RVC_WINDOW / 2;
  if (audio16k.length + RVC_WINDOW <= maxSeconds * RATE) return [];
  const padded = reflectPad(audio16k, half, half);
  const sum = new Float64Array(audio16k.length);
  for (let i = 0; i < sum.length; i++) {
    let s = 0;
    for (let j = 0; j < RVC_WINDOW; j++) s += Math.abs(padded[i + j]);
    sum[i] = s;
  }
  const query = Math.round(querySeconds * RATE);
  const center = Math.round(centerSeconds * RATE);
  const cuts: number[] = [];
  for (let t = center; t < audio16k.length; t += center) {
    const lo = Math.max(0, t - query),
      hi = Math.min(sum.length, t + query);
    let best = lo;
    for (let i = lo + 1; i < hi; i++) if (sum[i] < sum[best]) best = i;
    cuts.push(Math.floor(best / RVC_WINDOW) * RVC_WINDOW);
  }
  return cuts;
}

export interface RvcSegment {
  /** Samples [start, end) of the x_pad-padded clip fed to the models. */
  start: number;
  end: number;
}

/** Segments of the padded clip (length audio + 2·pad): [s, t + 2·pad + 160) for each cut, then [t, end). */
export function rvcSegments(samples16k: number, cuts: readonly number[], padSeconds = 1): RvcSegment[] {
  const pad = Math.round(padSeconds * RATE);
  const total = samples16k + 2 * pad;
  const segments: RvcSegment[] = [];
  let s = 0;
  for (const t of cuts) {
    segments.push({ start: s, end: Math.min(total, t + 2 * pad + RVC_WINDOW) });
    s = t;
  }
  segments.push({ start: s, end: total });
  return segments;
}
