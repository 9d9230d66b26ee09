/**
 * A video longer than the DiT's window is made window after window. Window k+1 starts
 * `overlap` latent frames before window k ends (more for the last window, which ends at the
 * clip's end); while it is denoised, its overlap frames are held to window k's final latents
 * re-noised to each step's level (denoise.ts), so it continues window k rather than starting
 * anew. Each window's latents then leave as one packet, but for its last `overlap` frames: those
 * are blended with the next window's first ones (weights ramping linearly across the overlap)
 * and leave with the next window. Together the packets hold every latent frame of the clip once,
 * in order, so the VAE decodes them as one continuous stream (its conv cache carried across
 * packets) and only one window is ever held.
 */

export interface LatentWindow {
  /** First latent frame of the window in the clip. */
  start: number;
  /** Latent frames in the window. */
  count: number;
  /** Latent frames shared with the previous window (0 for the first). */
  overlap: number;
}

/** The windows of a clip of `total` latent frames: windows of `window` frames overlapping by at least `overlap`. */
export function latentWindows(total: number, window: number, overlap: number): LatentWindow[] {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`latent frames must be ≥ 1, got ${total}`);
  if (total <= window) return [{ start: 0, count: total, overlap: 0 }];
  if (!Number.isInteger(overlap) || overlap < 1 || overlap >= window)
    throw new RangeError(`overlapLatentFrames must be in 1..${window - 1} (the window), got ${overlap}`);
  const stride = window - overlap;
  const windows: LatentWindow[] = [{ start: 0, count: window, overlap: 0 }];
  for (let start = stride; ; start += stride) {
    const previous = windows[windows.length - 1];
    const last = start + window >= total;
    const at = last ? total - window : start;
    windows.push({ start: at, count: window, overlap: previous.start + previous.count - at });
    if (last) return windows;
  }
}

/** The latent frames [start, end) a window's packet carries: from its own start, less what the next window blends. */
export function emittedRange(windows: readonly LatentWindow[], k: number): { start: number; end: number } {
  const next = windows[k + 1];
  const w = windows[k];
  return { start: w.start, end: next ? next.start : w.start + w.count };
}

/** Weight of the newer window at each of `overlap` frames: (i + 1) / (overlap + 1), rising across the seam. */
export function seamWeights(overlap: number): Float64Array {
  return Float64Array.from({ length: overlap }, (_, i) => (i + 1) / (overlap + 1));
}

/**
 * The packet of window k: its final latents `own` [count frames × frameSize], the first `overlap`
 * frames blended with `held` (what the previous windows left over the same range), less the frames
 * from the next window's start on — those are returned as the new `held`, blended values included,
 * to be blended again with the next window.
 */
export function windowPacket(
  windows: readonly LatentWindow[],
  k: number,
  own: Float32Array,
  held: Float32Array | undefined,
  frameSize: number,
): { frames: Float32Array; held: Float32Array | undefined } {
  const w = windows[k];
  const merged = own.slice();
  if (w.overlap > 0) {
    if (!held || held.length !== w.overlap * frameSize)
      throw new RangeError(`window ${k} needs the ${w.overlap} frames the previous window held`);
    const weights = seamWeights(w.overlap);
    for (let f = 0; f < w.overlap; f++) {
      const a = weights[f];
      for (let i = f * frameSize; i < (f + 1) * frameSize; i++) merged[i] = (1 - a) * held[i] + a * own[i];
    }
  }
  const cut = (emittedRange(windows, k).end - w.start) * frameSize;
  return { frames: merged.slice(0, cut), held: k + 1 < windows.length ? merged.slice(cut) : undefined };
}
