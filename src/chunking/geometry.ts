/**
 * Chunk geometry: every length the planner, the streaming chunker and the stitchers agree on, in
 * integer *units* — audio sample frames (one per channel group), video frames or latent frames.
 * Working in integers is what keeps sample counts from drifting over a 1-hour clip: no boundary
 * is ever an accumulated float.
 *
 * Layout of one chunk k, owned range [s, e) (the ranges of all chunks tile the clip exactly):
 *
 *   window:  |-- before --|====== owned [s, e) ======|-- overlap --|-- after --| (+ more after)
 *
 * The seam crossfade between chunk k-1 and chunk k lies on [s, s + overlap): *after* each seam,
 * inside chunk k's owned range. Chunk k-1 computes it as trailing context, chunk k as its head.
 * Putting the fade after the seam (rather than centred on it) lets a stitcher emit each chunk's
 * owned range as soon as that chunk arrives — no one-chunk delay.
 */
import { ConfigError, type Issue } from '../core/errors.ts';
import type { StageContext } from '../core/stage.ts';
import type { ChunkingSpec } from '../graph/types.ts';

/** RVC's silence measure: a moving sum of |amplitude| over 160 samples (10 ms at 16 kHz). */
export const RVC_SILENCE_WINDOW_UNITS = 160;

export interface ChunkGeometryOptions {
  /** Target owned length of one chunk, units. Rounded up to a multiple of `granularityUnits`. */
  chunkUnits: number;
  /** Crossfade length at each seam, units. Rounded up to a granularity multiple. @defaultValue 0 */
  overlapUnits?: number;
  /** Context a chunk needs before its owned range, units (receptive field). @defaultValue 0 */
  contextBeforeUnits?: number;
  /** Context a chunk needs after its owned range (and after the overlap), units. @defaultValue 0 */
  contextAfterUnits?: number;
  /** Boundaries and window starts fall on multiples of this (a hop), units. @defaultValue 1 */
  granularityUnits?: number;
  /** Move each boundary to the quietest point within ± this many units; 0 = cut on the grid. @defaultValue 0 */
  searchUnits?: number;
  /** Width of the moving |amplitude| sum of the silence search, units. @defaultValue 160 */
  silenceWindowUnits?: number;
  /**
   * Feed every chunk as a window of exactly `windowUnits` (TensorRT then builds one engine per
   * stage). Chunks near the clip end take extra real context instead of zeros; only a clip shorter
   * than one window is zero-padded. `false` = windows are just the clamped context range.
   * @defaultValue true
   */
  fixedShape?: boolean;
}

/** Resolved geometry; all fields integers, in units. */
export interface ChunkGeometry {
  readonly chunkUnits: number;
  readonly overlapUnits: number;
  readonly contextBeforeUnits: number;
  readonly contextAfterUnits: number;
  readonly granularityUnits: number;
  readonly searchUnits: number;
  readonly silenceWindowUnits: number;
  readonly fixedShape: boolean;
  /** Longest owned range a chunk can get: chunk + 2 × search. */
  readonly maxOwnedUnits: number;
  /** Length of every window fed to a model when `fixedShape` (the upper bound otherwise). */
  readonly windowUnits: number;
}

const roundUp = (x: number, g: number): number => Math.ceil(x / g) * g;
const roundDown = (x: number, g: number): number => Math.floor(x / g) * g;

export function chunkGeometry(options: ChunkGeometryOptions): ChunkGeometry {
  const issues: Issue[] = [];
  const int = (key: keyof ChunkGeometryOptions, value: number, min: number): number => {
    if (!Number.isInteger(value) || value < min) {
      issues.push({ file: `chunking.${key}`, message: `${key} must be an integer ≥ ${min} (units), got ${value}` });
      return min;
    }
    return value;
  };
  const g = int('granularityUnits', options.granularityUnits ?? 1, 1);
  const chunk = roundUp(int('chunkUnits', options.chunkUnits, 1), g);
  const overlap = roundUp(int('overlapUnits', options.overlapUnits ?? 0, 0), g);
  const before = roundUp(int('contextBeforeUnits', options.contextBeforeUnits ?? 0, 0), g);
  const after = roundUp(int('contextAfterUnits', options.contextAfterUnits ?? 0, 0), g);
  const search = roundDown(int('searchUnits', options.searchUnits ?? 0, 0), g);
  const silenceWindow = int('silenceWindowUnits', options.silenceWindowUnits ?? RVC_SILENCE_WINDOW_UNITS, 1);
  // An interior chunk can shrink to chunk − 2·search; it must still hold a whole crossfade and a
  // whole granule, or a seam's fade would spill into the chunk after.
  const shortest = chunk - 2 * search;
  if (issues.length === 0 && shortest < Math.max(overlap, g)) {
    issues.push({
      file: 'chunking',
      message:
        (search > 0 ? `a ±${search}-unit silence search leaves ${chunk}-unit chunks as short as ${shortest} units` : `${chunk}-unit chunks are`) +
        ` shorter than the ${overlap}-unit overlap (a seam's crossfade must fit in one chunk); lower the overlap or search, or raise the chunk length`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const maxOwned = chunk + 2 * search;
  return Object.freeze({
    chunkUnits: chunk,
    overlapUnits: overlap,
    contextBeforeUnits: before,
    contextAfterUnits: after,
    granularityUnits: g,
    searchUnits: search,
    silenceWindowUnits: silenceWindow,
    fixedShape: options.fixedShape ?? true,
    maxOwnedUnits: maxOwned,
    windowUnits: before + maxOwned + overlap + after,
  });
}

export interface GeometryFromSpecOptions {
  /** Units per second: the sample rate, the fps, or latent frames per second. */
  unitsPerSecond: number;
  chunking: ChunkingSpec;
  /**
   * The contexts of the stages the chunks flow through. Receptive fields of a chain add up, so
   * before/after are summed (safe for any order); granularities combine by least common multiple.
   */
  contexts: readonly StageContext[];
  fixedShape?: boolean;
  /** Silence-measure width, units. @defaultValue 10 ms of units (RVC's 160 samples at 16 kHz) */
  silenceWindowUnits?: number;
}

/** Seconds × rate as an integer, forgiving float noise (0.2 × 16000 = 3200.0000000000005). */
function unitsUp(seconds: number, rate: number): number {
  return Math.max(0, Math.ceil(seconds * rate - 1e-6));
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Geometry for a pipeline's `chunking:` block and its stages' declared contexts. */
export function chunkGeometryFromSpec(options: GeometryFromSpecOptions): ChunkGeometry {
  const { unitsPerSecond: rate, chunking, contexts } = options;
  const issues: Issue[] = [];
  if (!(rate > 0)) issues.push({ file: 'chunking', message: `units per second must be > 0, got ${rate}` });
  if (contexts.some((c) => c.wholeClip)) {
    issues.push({ file: 'chunking', message: 'a stage that needs the whole clip cannot be chunked; run it unchunked' });
  }
  let g = 1;
  for (const c of contexts) {
    if (c.granularitySeconds === undefined) continue;
    const units = Math.round(c.granularitySeconds * rate);
    if (units < 1) {
      issues.push({ file: 'chunking', message: `granularity ${c.granularitySeconds} s is under one unit at ${rate} units/s` });
      continue;
    }
    g = (g / gcd(g, units)) * units;
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return chunkGeometry({
    chunkUnits: Math.max(1, Math.round(chunking.seconds * rate)),
    overlapUnits: Math.round(chunking.overlapSeconds * rate),
    contextBeforeUnits: unitsUp(contexts.reduce((sum, c) => sum + c.beforeSeconds, 0), rate),
    contextAfterUnits: unitsUp(contexts.reduce((sum, c) => sum + c.afterSeconds, 0), rate),
    granularityUnits: g,
    searchUnits: Math.floor(chunking.silenceSearchSeconds * rate + 1e-6),
    silenceWindowUnits: options.silenceWindowUnits ?? Math.max(1, Math.round(rate / 100)),
    fixedShape: options.fixedShape,
  });
}
