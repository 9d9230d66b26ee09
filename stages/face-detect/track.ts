/**
 * Face boxes for a run of frames from detections on some of them — the same boxes whether the
 * frames come whole or chunk by chunk, as long as each chunk sees `trackReach` frames of its
 * neighbours. Frames are numbered in the stream (a looped face counts on across its seams).
 *
 * - Detection runs on every `detectEvery`-th frame (frame g with g mod n = 0).
 * - A frame's raw box: the nearest found detections within max(n − 1, hold) frames before
 *   and after it, interpolated linearly between the two (one alone is copied). With neither, the
 *   fallback box — so it is used only where no face was found for longer than `holdFrames`.
 * - Then Wav2Lip's smoothing: the mean over a window of `smoothFrames`, shifted inward at the
 *   clip's ends, truncated to whole pixels.
 */
import { InputError } from '../../src/core/errors.ts';
import type { Box } from '../shared/face-boxes.ts';

export interface TrackOptions {
  /** Detect on every n-th frame, frames ≥ 1. */
  detectEvery: number;
  /** A face missed for at most this many frames is bridged from the faces around it. */
  holdFrames: number;
  /** Moving-mean window, frames ≥ 1. */
  smoothFrames: number;
  /** Where no face is near, pixels; null = such frames are an error. */
  fallback: Box | null;
}

/** The frames to track and what is at hand around them, in stream frame numbers. */
export interface TrackSpan {
  /** Frames to give boxes for: [first, end). */
  first: number;
  end: number;
  /** Frames at hand (the chunk and its neighbours): [availableFirst, availableEnd). */
  availableFirst: number;
  availableEnd: number;
  /** Frames in the whole stream, when its end is at hand; undefined while it goes on. */
  total?: number;
}

export interface TrackResult {
  boxes: Box[];
  /** Frames (stream numbers) that took the fallback box. */
  missing: number[];
}

/** How far each side of a frame its box may depend on, frames: the smoothing window plus the reach of a missed face. */
export function trackReach(o: TrackOptions): number {
  return o.smoothFrames - 1 + gapReach(o);
}

function gapReach(o: TrackOptions): number {
  return Math.max(o.detectEvery - 1, o.holdFrames);
}

/** The detection frames a span needs: every n-th frame within its reach, inside the stream. */
export function detectionFrames(span: TrackSpan, o: TrackOptions): number[] {
  const reach = trackReach(o);
  const from = Math.max(0, span.first - reach);
  const to = Math.min(span.total ?? Number.POSITIVE_INFINITY, span.end + reach);
  const out: number[] = [];
  for (let g = Math.ceil(from / o.detectEvery) * o.detectEvery; g < to; g += o.detectEvery) out.push(g);
  return out;
}

/**
 * Boxes for frames [first, end) from `found` (the padded best face at each detection frame, or
 * undefined where none was found). Fails when the span reaches past the frames at hand: the chunks
 * are too short for the smoothing and hold settings.
 */
export function trackSpan(span: TrackSpan, found: ReadonlyMap<number, Box | undefined>, o: TrackOptions): TrackResult {
  const total = span.total ?? Number.POSITIVE_INFINITY;
  const reach = trackReach(o);
  const needFirst = Math.max(0, span.first - reach);
  const needEnd = Math.min(total, span.end + reach);
  if (needFirst < span.availableFirst || needEnd > span.availableEnd) {
    throw new InputError(
      `face boxes for frames ${span.first}–${span.end - 1} depend on frames ${needFirst}–${needEnd - 1} ` +
        `(smoothFrames ${o.smoothFrames}, and ${gapReach(o)} frames to bridge a missed face), but only ` +
        `${span.availableFirst}–${span.availableEnd - 1} are at hand: make chunking.seconds longer or those options smaller`,
    );
  }
  const gap = gapReach(o);
  const detected = (g: number): Box | undefined => (g % o.detectEvery === 0 ? found.get(g) : undefined);
  const missing = new Set<number>();
  const raw = new Map<number, Box>();
  const rawBox = (f: number): Box => {
    const known = raw.get(f);
    if (known) return known;
    let p: number | undefined;
    for (let g = f; g >= Math.max(0, f - gap); g--) {
      if (detected(g)) {
        p = g;
        break;
      }
    }
    let q: number | undefined;
    for (let g = f; g <= f + gap && g < total; g++) {
      if (detected(g)) {
        q = g;
        break;
      }
    }
    let box: Box;
    if (p !== undefined && q !== undefined && q > p) {
      const a = detected(p)!,
        b = detected(q)!,
        t = (f - p) / (q - p);
      box = [0, 1, 2, 3].map((k) => Math.round(a[k] + t * (b[k] - a[k]))) as Box;
    } else if (p !== undefined || q !== undefined) {
      box = detected((p ?? q)!)!;
    } else if (o.fallback) {
      box = o.fallback;
      missing.add(f);
    } else {
      missing.add(f);
      box = [0, 0, 0, 0];
    }
    raw.set(f, box);
    return box;
  };
  const w = Math.min(o.smoothFrames, total);
  const half = Math.floor((w - 1) / 2);
  const boxes: Box[] = [];
  for (let g = span.first; g < span.end; g++) {
    const start = Math.max(0, Math.min(g - half, total - w));
    const sum = [0, 0, 0, 0];
    for (let j = start; j < start + w; j++) {
      const b = rawBox(j);
      for (let k = 0; k < 4; k++) sum[k] += b[k];
    }
    boxes.push(sum.map((s) => Math.trunc(s / w)) as Box);
  }
  const missed = [...missing].sort((a, b) => a - b);
  if (missed.length > 0 && !o.fallback) {
    const shown = missed.slice(0, 10).join(', ') + (missed.length > 10 ? ', …' : '');
    const frames = missed.length === 1 ? 'frame' : 'frames';
    throw new InputError(
      `no face found in or near ${missed.length} ${frames} (${frames} ${shown}); set the face-detect option "box" to use a fixed box there`,
    );
  }
  return { boxes, missing: missed.filter((f) => f >= span.first && f < span.end) };
}
