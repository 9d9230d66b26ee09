/**
 * Chunk geometry: the lengths the planner and the streaming chunker agree on, in integer *units* —
 * audio sample frames (one per channel group), video frames or latent frames. Working in integers
 * is what keeps sample counts from drifting over a 1-hour clip: no boundary is ever an accumulated
 * float.
 *
 * A chunk is exactly its owned range [s, e): the owned ranges of a clip tile it with no gap and no
 * overlap, and a stage that needs samples around its chunk gets the neighbouring chunks from the
 * runtime (`item.before` / `item.after`), not a padded window.
 */
import { ConfigError, type Issue } from '../core/errors.ts';

export interface ChunkGeometryOptions {
  /** Target length of one chunk, units. Rounded up to a multiple of `granularityUnits`. */
  chunkUnits: number;
  /** Boundaries fall on multiples of this (a hop), units. @defaultValue 1 */
  granularityUnits?: number;
  /** Move each boundary to the quietest point within ± this many units; 0 = cut on the grid. @defaultValue 0 */
  searchUnits?: number;
  /** Width of the moving |amplitude| sum of the silence search, units. @defaultValue 160 (RVC's 10 ms at 16 kHz) */
  silenceWindowUnits?: number;
}

/** Resolved geometry; all fields integers, in units. */
export interface ChunkGeometry {
  readonly chunkUnits: number;
  readonly granularityUnits: number;
  readonly searchUnits: number;
  readonly silenceWindowUnits: number;
  /** Longest chunk there can be: chunk + 2 × search. */
  readonly maxChunkUnits: number;
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
  const search = roundDown(int('searchUnits', options.searchUnits ?? 0, 0), g);
  const silenceWindow = int('silenceWindowUnits', options.silenceWindowUnits ?? 160, 1);
  // An interior chunk can shrink to chunk − 2·search; it must still hold a whole granule.
  const shortest = chunk - 2 * search;
  if (issues.length === 0 && shortest < g) {
    issues.push({
      file: 'chunking',
      message:
        `a ±${search}-unit silence search leaves ${chunk}-unit chunks as short as ${shortest} units, ` +
        `under one ${g}-unit granule; lower the search or raise the chunk length`,
    });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze({
    chunkUnits: chunk,
    granularityUnits: g,
    searchUnits: search,
    silenceWindowUnits: silenceWindow,
    maxChunkUnits: chunk + 2 * search,
  });
}
