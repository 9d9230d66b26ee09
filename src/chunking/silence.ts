/**
 * RVC's silence splitter (`infer/modules/vc/pipeline.py`): near each target boundary k·chunk, cut
 * at the first point of least loudness within ± search, loudness being the sum of |amplitude| over
 * a `silenceWindowUnits`-wide window centred on the point (RVC: 160 samples at 16 kHz, the signal
 * reflect-padded at the clip edges). Targets stay on the fixed grid, as in RVC, so one cut never
 * pushes the next.
 *
 * `quietestCut` reads the signal through a view that may hold only part of the clip, so the
 * streaming chunker and the offline `silenceCuts` run the very same arithmetic and cut identically.
 */
import type { ChunkGeometry } from './geometry.ts';

/** A stretch of interleaved PCM: `data[0]` is the first channel of unit `offset`. */
export interface SignalView {
  data: Float32Array;
  channels: number;
  /** Clip index of the first unit held in `data`. */
  offset: number;
}

/** numpy's `mode="reflect"` index folding (edge sample not repeated). */
function reflect(m: number, total: number | undefined): number {
  if (total === undefined || total === 1) return m < 0 ? (total === 1 ? 0 : -m) : m;
  const period = 2 * (total - 1);
  let r = ((m % period) + period) % period;
  if (r >= total) r = period - r;
  return r;
}

function magnitude(view: SignalView, m: number, total: number | undefined): number {
  const base = (reflect(m, total) - view.offset) * view.channels;
  let sum = 0;
  for (let c = 0; c < view.channels; c++) sum += Math.abs(view.data[base + c]);
  return sum;
}

export interface QuietestCutInput {
  geometry: ChunkGeometry;
  view: SignalView;
  /** Clip length in units if the end has been seen (needed to reflect at the end), else undefined. */
  totalUnits: number | undefined;
  /** The grid boundary being moved, units. */
  target: number;
  /** The previous boundary, units; the cut stays at least one granule after it. */
  previous: number;
}

/**
 * Units the view must hold past `target` before the cut can be found without the clip end: the
 * last candidate is target + search − 1 and its window reaches `window − window/2 − 1` beyond it.
 */
export function silenceLookaheadUnits(geometry: ChunkGeometry): number {
  const w = geometry.silenceWindowUnits;
  return geometry.searchUnits + w - Math.floor(w / 2);
}

/**
 * Where a cut near `target` may go, units: granule multiples from `lo` below `hi`, i.e.
 * [target − search, target + search) ∩ (previous, total). Empty (lo ≥ hi) when the cut stays on target.
 */
export function cutCandidates(input: Pick<QuietestCutInput, 'geometry' | 'totalUnits' | 'target' | 'previous'>): {
  lo: number;
  hi: number;
} {
  const { geometry, totalUnits: total, target, previous } = input;
  const g = geometry.granularityUnits;
  return {
    lo: Math.ceil(Math.max(target - geometry.searchUnits, previous + g) / g) * g,
    hi: Math.min(target + geometry.searchUnits, total ?? Infinity),
  };
}

/** The boundary near `target`: a granule multiple in [target − search, target + search) ∩ (previous, total). */
export function quietestCut(input: QuietestCutInput): number {
  const { geometry, view, totalUnits: total, target } = input;
  const g = geometry.granularityUnits;
  const w = geometry.silenceWindowUnits;
  const half = Math.floor(w / 2);
  const { lo, hi } = cutCandidates(input);
  if (lo >= hi) return target;
  const held = view.data.length / view.channels;
  const first = lo - half;
  const end = hi - 1 - half + w;
  if ((first < view.offset && !(first < 0 && view.offset === 0)) || (total === undefined && end > view.offset + held)) {
    throw new RangeError(
      `silence search needs units [${first}, ${end}); the view holds [${view.offset}, ${view.offset + held})`,
    );
  }
  // Slide the window in steps of one granule, in float64 from a fixed start, so that two callers
  // holding different amounts of the clip get bit-identical sums.
  let sum = 0;
  for (let m = lo - half; m < lo - half + w; m++) sum += magnitude(view, m, total);
  let best = lo;
  let bestSum = sum;
  for (let c = lo + g; c < hi; c += g) {
    const leaving = c - g - half;
    const entering = c - g - half + w;
    for (let j = 0; j < g; j++) sum += magnitude(view, entering + j, total) - magnitude(view, leaving + j, total);
    if (sum < bestSum) {
      bestSum = sum;
      best = c;
    }
  }
  return best;
}

/** Interior boundaries of a whole clip in memory, cut at quiet points (RVC's rule), units. */
export function silenceCuts(geometry: ChunkGeometry, data: Float32Array, channels: number): number[] {
  const total = data.length / channels;
  const view: SignalView = { data, channels, offset: 0 };
  const cuts: number[] = [];
  let previous = 0;
  for (let target = geometry.chunkUnits; target < total; target += geometry.chunkUnits) {
    previous =
      geometry.searchUnits === 0 ? target : quietestCut({ geometry, view, totalUnits: total, target, previous });
    cuts.push(previous);
  }
  return cuts;
}
