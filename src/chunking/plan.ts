/**
 * The chunk plan: where each chunk's owned range lies, which window of the clip is read for it and
 * how much zero padding brings that window to the fixed shape. Pure integer arithmetic in units
 * (see geometry.ts); the same `placeChunk` serves the offline plan and the streaming chunker, so
 * both cut a clip identically.
 */
import { ReelError } from '../core/errors.ts';
import type { ChunkGeometry } from './geometry.ts';

export interface PlannedChunk {
  /** 0-based, dense. */
  index: number;
  /** Owned range [ownedStart, ownedEnd), units. Owned ranges of a plan tile [0, total) exactly. */
  ownedStart: number;
  ownedEnd: number;
  /** The window fed to the model, [windowStart, windowEnd), units; may reach past the clip end. */
  windowStart: number;
  windowEnd: number;
  /** The part of the window that exists in the clip, units: [readStart, readEnd) ⊆ [0, total). */
  readStart: number;
  readEnd: number;
  /** Zeros appended after the read range to reach the window length, units. */
  padAfter: number;
  /** Units of the window before / after the owned range (padding included): ChunkInfo.context*. */
  contextBefore: number;
  contextAfter: number;
  /** The clip's final chunk. */
  last: boolean;
}

export interface PlaceChunkInput {
  index: number;
  ownedStart: number;
  ownedEnd: number;
  /** Clip length in units; undefined while streaming and the end has not been seen. */
  totalUnits: number | undefined;
  last: boolean;
}

/**
 * Window of one chunk. With `fixedShape` the window is always `windowUnits` long: it starts
 * `contextBeforeUnits` before the owned range, is slid right at the clip start and left at the clip
 * end so that it holds real samples rather than zeros (a deep model pads each layer itself at a
 * clip edge; zeros fed from outside would not match that), and is zero-padded only when the clip is
 * shorter than a window (or by less than one granule where the clip end is off the granule grid).
 */
export function placeChunk(geometry: ChunkGeometry, input: PlaceChunkInput): PlannedChunk {
  const { contextBeforeUnits: before, contextAfterUnits: after, overlapUnits: overlap } = geometry;
  const { ownedStart: s, ownedEnd: e, totalUnits: total } = input;
  let windowStart: number;
  let windowEnd: number;
  if (geometry.fixedShape) {
    const w = geometry.windowUnits;
    const g = geometry.granularityUnits;
    windowStart = Math.max(0, s - before);
    windowEnd = windowStart + w;
    if (total !== undefined && windowEnd > total) {
      // Round up: the window must still reach the clip end; ≤ s − before since the unslid one overran.
      windowStart = Math.max(0, Math.ceil((total - w) / g) * g);
      windowEnd = windowStart + w;
    }
  } else {
    windowStart = Math.max(0, s - before);
    windowEnd = e + overlap + after;
    if (total !== undefined) windowEnd = Math.min(windowEnd, total);
  }
  const readEnd = total === undefined ? windowEnd : Math.min(windowEnd, total);
  return {
    index: input.index,
    ownedStart: s,
    ownedEnd: e,
    windowStart,
    windowEnd,
    readStart: windowStart,
    readEnd,
    padAfter: windowEnd - readEnd,
    contextBefore: s - windowStart,
    contextAfter: windowEnd - e,
    last: input.last,
  };
}

/** Interior boundaries on the plain grid: chunk, 2·chunk, … below the total, units. */
export function gridCuts(geometry: ChunkGeometry, totalUnits: number): number[] {
  const cuts: number[] = [];
  for (let t = geometry.chunkUnits; t < totalUnits; t += geometry.chunkUnits) cuts.push(t);
  return cuts;
}

/**
 * The whole plan of a clip of known length. `cuts` are the interior boundaries (default: the grid;
 * pass `silenceCuts(...)` to cut at quiet points): strictly increasing granule multiples in (0, total).
 * A clip of length 0 has no chunks.
 */
export function planChunks(geometry: ChunkGeometry, totalUnits: number, cuts?: readonly number[]): PlannedChunk[] {
  if (!Number.isInteger(totalUnits) || totalUnits < 0) {
    throw new ReelError(`chunk plan: clip length must be a whole number of units ≥ 0, got ${totalUnits}`);
  }
  if (totalUnits === 0) return [];
  const inner = cuts ?? gridCuts(geometry, totalUnits);
  const bounds = [0, ...inner, totalUnits];
  for (let i = 1; i < bounds.length; i++) {
    const cut = bounds[i];
    const badGrid = i < bounds.length - 1 && cut % geometry.granularityUnits !== 0;
    if (!Number.isInteger(cut) || cut <= bounds[i - 1] || badGrid) {
      throw new ReelError(
        `chunk plan: boundary ${i} is ${cut}; boundaries must be integers increasing from 0 to ${totalUnits}` +
          ` on multiples of ${geometry.granularityUnits} units (got ${inner.join(', ')})`,
      );
    }
  }
  const chunks: PlannedChunk[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    chunks.push(
      placeChunk(geometry, {
        index: i,
        ownedStart: bounds[i],
        ownedEnd: bounds[i + 1],
        totalUnits,
        last: i + 2 === bounds.length,
      }),
    );
  }
  return chunks;
}

/**
 * Copy one chunk's window out of a whole clip held in memory, zero-padded to the window length.
 * `data` is unit-major: `stride` elements per unit (channels for interleaved audio).
 */
export function extractWindow(data: Float32Array, stride: number, chunk: PlannedChunk): Float32Array {
  const out = new Float32Array((chunk.windowEnd - chunk.windowStart) * stride);
  out.set(data.subarray(chunk.readStart * stride, chunk.readEnd * stride));
  return out;
}
