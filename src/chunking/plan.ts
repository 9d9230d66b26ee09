/**
 * The chunk plan of a clip held whole: where each chunk starts and ends. Pure integer arithmetic in
 * units (see geometry.ts). The streaming chunker (rechunker.ts) cuts a clip exactly as this plan
 * does; the tests hold the two against each other.
 */
import { ReelError } from '../core/errors.ts';
import type { ChunkGeometry } from './geometry.ts';

export interface PlannedChunk {
  /** 0-based, dense. */
  index: number;
  /** [start, end), units. The chunks of a plan tile [0, total) exactly. */
  start: number;
  end: number;
  /** The clip's final chunk. */
  last: boolean;
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
  return bounds.slice(1).map((end, i) => ({ index: i, start: bounds[i], end, last: i + 2 === bounds.length }));
}
