/**
 * Non-finite samples (NaN, ±Inf) must never pass silently: one NaN fed to a model or a resampler
 * spreads over its whole window, and a stage that then clamps or zeroes it turns seconds of a clip
 * into silence with exit 0. Audio is checked where it enters — decoded from a file, and emitted by
 * a stage — and refused there with the place named.
 */

/** Index of the first NaN or ±Infinity in `data`, or -1. */
export function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // v - v is NaN exactly for NaN and ±Infinity; one comparison per sample.
    if (v - v !== 0) return i;
  }
  return -1;
}

/** "NaN", "+Inf" or "-Inf", for messages. */
export function describeNonFinite(v: number): string {
  return Number.isNaN(v) ? 'NaN' : v > 0 ? '+Inf' : '-Inf';
}
