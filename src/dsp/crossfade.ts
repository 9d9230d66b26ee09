/**
 * Crossfades for the chunk stitcher. Two overlapping renderings of the same span — the tail of
 * chunk k ("out") and the head of chunk k+1 ("in") — are blended with complementary gains:
 *
 * - 'equal-power': g_out = cos(πt/2), g_in = sin(πt/2), so g_out² + g_in² = 1. For audio whose two
 *   renderings are uncorrelated in phase (vocoders, voice conversion), power stays constant and
 *   there is no dip in loudness mid-fade.
 * - 'linear': g_out = 1 − t, g_in = t, so g_out + g_in = 1. For correlated signals (identical up
 *   to small error: video frames, latents, deterministic audio) it preserves the value itself.
 *
 * Over an overlap of n samples (or frames) position i uses t = (i + ½)/n: the gains are exact
 * mirror images, no position gets a gain of exactly 0 or 1, and fades are symmetric in time.
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';

export type CrossfadeCurve = 'equal-power' | 'linear';

/** Gain of the outgoing signal at fade position t ∈ [0, 1]. */
export function fadeOutGain(curve: CrossfadeCurve, t: number): number {
  return curve === 'linear' ? 1 - t : Math.cos((Math.PI / 2) * t);
}

/** Gain of the incoming signal at fade position t ∈ [0, 1]. */
export function fadeInGain(curve: CrossfadeCurve, t: number): number {
  return curve === 'linear' ? t : Math.sin((Math.PI / 2) * t);
}

/** Fade position of step i of n: (i + ½)/n. */
export function fadePosition(i: number, n: number): number {
  return (i + 0.5) / n;
}

function checkCurve(curve: CrossfadeCurve): void {
  if (curve !== 'equal-power' && curve !== 'linear') {
    throw new DspError(`crossfade curve = "${String(curve)}": expected "equal-power" or "linear"`);
  }
}

/** The n gains of each side: { fadeOut[i], fadeIn[i] } for positions (i + ½)/n. */
export function crossfadeGains(curve: CrossfadeCurve, n: number): { fadeOut: Float32Array; fadeIn: Float32Array } {
  checkCurve(curve);
  requireParam('crossfade length', n, isPositiveInteger, 'a positive integer (samples or frames)');
  const fadeOut = new Float32Array(n);
  const fadeIn = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = fadePosition(i, n);
    fadeOut[i] = fadeOutGain(curve, t);
    fadeIn[i] = fadeInGain(curve, t);
  }
  return { fadeOut, fadeIn };
}

/**
 * Sample-wise crossfade of two equal-length overlaps: out[i] = outgoing[i]·g_out + incoming[i]·g_in.
 * Writes into `target` when given (it may be `outgoing` or `incoming` itself), else a new array.
 */
export function crossfade(
  outgoing: Float32Array,
  incoming: Float32Array,
  curve: CrossfadeCurve,
  target?: Float32Array,
): Float32Array {
  checkCurve(curve);
  const n = outgoing.length;
  if (incoming.length !== n || (target && target.length !== n)) {
    throw new DspError(
      `crossfade lengths differ: outgoing ${n}, incoming ${incoming.length}` +
        (target ? `, target ${target.length}` : '') + ': expected equal lengths',
    );
  }
  const out = target ?? new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = fadePosition(i, n);
    out[i] = outgoing[i] * fadeOutGain(curve, t) + incoming[i] * fadeInGain(curve, t);
  }
  return out;
}

/**
 * Blends two whole items (a video frame, a latent slice) with one weight: out = a·(1 − w) + b·w for
 * 'linear', or the equal-power gains at t = w. Used per frame across a frame overlap, with
 * w = fadePosition(i, n).
 */
export function blend(
  a: Float32Array,
  b: Float32Array,
  weight: number,
  curve: CrossfadeCurve = 'linear',
  target?: Float32Array,
): Float32Array {
  checkCurve(curve);
  requireParam('blend weight', weight, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
  if (b.length !== a.length || (target && target.length !== a.length)) {
    throw new DspError(`blend lengths differ: ${a.length} and ${b.length}: expected equal lengths`);
  }
  const ga = fadeOutGain(curve, weight), gb = fadeInGain(curve, weight);
  const out = target ?? new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * ga + b[i] * gb;
  return out;
}
