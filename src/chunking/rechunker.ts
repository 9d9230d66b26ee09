/**
 * The streaming chunk planner: takes a clip as blocks of any size while its length is unknown and
 * hands out each chunk's window as soon as it is decided — owned range, its context and, when
 * cutting at silence, the lookahead of the search. It holds at most one window plus the silence
 * lookahead plus one incoming block, whatever the clip length.
 *
 * It cuts exactly as the offline `planChunks` + `silenceCuts` would on the whole clip: both go
 * through `placeChunk` and `quietestCut`, and a window is only placed before the end is seen when
 * it lies wholly inside the data received (where knowing the total would not move it).
 */
import type { ChunkGeometry } from './geometry.ts';
import { placeChunk, type PlannedChunk } from './plan.ts';
import { quietestCut, silenceLookaheadUnits } from './silence.ts';
import { UnitBuffer } from './unit-buffer.ts';

export interface ChunkWindow {
  plan: PlannedChunk;
  /** `plan.windowEnd − plan.windowStart` units, unit-major, zero-padded after the clip end. */
  data: Float32Array;
}

export class Rechunker {
  private readonly buffer: UnitBuffer;
  private index = 0;
  /** Owned start of the next chunk, units. */
  private start = 0;
  /** Owned end of the next chunk once decided. */
  private ownedEnd: number | undefined;
  private ended = false;
  private peak = 0;

  /** `stride`: elements per unit (channels for interleaved audio). */
  constructor(
    readonly geometry: ChunkGeometry,
    readonly stride: number,
  ) {
    this.buffer = new UnitBuffer(stride, geometry.windowUnits + silenceLookaheadUnits(geometry));
  }

  /** Most units held at once so far (the memory bound the tests check). */
  get peakHeldUnits(): number {
    return this.peak;
  }

  /** Units received so far. */
  get receivedUnits(): number {
    return this.buffer.endUnit;
  }

  /** Add a block (a whole number of units) and take the chunks it completes. */
  push(block: Float32Array): ChunkWindow[] {
    if (this.ended) throw new Error('Rechunker.push after end()');
    if (block.length % this.stride !== 0) {
      throw new RangeError(`block of ${block.length} elements is not a whole number of ${this.stride}-element units`);
    }
    // Drop what the window slid back from the new end would no longer reach, before appending.
    this.release(this.buffer.endUnit + block.length / this.stride);
    this.buffer.append(block);
    this.peak = Math.max(this.peak, this.buffer.heldUnits);
    return this.drain();
  }

  /** The stream is over: take the remaining chunks; the final one has `plan.last`. */
  end(): ChunkWindow[] {
    this.ended = true;
    return this.drain();
  }

  private drain(): ChunkWindow[] {
    const out: ChunkWindow[] = [];
    for (;;) {
      const next = this.nextWindow();
      if (!next) return out;
      out.push(next);
    }
  }

  private nextWindow(): ChunkWindow | undefined {
    const received = this.buffer.endUnit;
    const total = this.ended ? received : undefined;
    if (total !== undefined && this.start >= total) return undefined;
    this.ownedEnd ??= this.decideEnd(received, total);
    if (this.ownedEnd === undefined) return undefined;
    const plan = placeChunk(this.geometry, {
      index: this.index,
      ownedStart: this.start,
      ownedEnd: this.ownedEnd,
      totalUnits: total,
      last: this.ownedEnd === total,
    });
    // Before the end is seen, a chunk needs its whole window and proof (one unit beyond its owned
    // end) that it is not the last one.
    if (total === undefined && (received < plan.windowEnd || received <= plan.ownedEnd)) return undefined;
    const data = new Float32Array((plan.windowEnd - plan.windowStart) * this.stride);
    this.buffer.copyInto(data, 0, plan.readStart, plan.readEnd);
    this.index++;
    this.start = this.ownedEnd;
    this.ownedEnd = undefined;
    this.release(this.buffer.endUnit);
    return { plan, data };
  }

  /** The owned end of the current chunk, once enough of the stream has arrived to know it. */
  private decideEnd(received: number, total: number | undefined): number | undefined {
    // Targets stay on the grid k·chunk, as in RVC, so one silence cut never pushes the next.
    const target = (this.index + 1) * this.geometry.chunkUnits;
    if (total !== undefined && target >= total) return total;
    const g = this.geometry;
    if (g.searchUnits === 0) return received > target || total !== undefined ? target : undefined;
    if (total === undefined && received < target + silenceLookaheadUnits(g)) return undefined;
    const view = { data: this.buffer.view(), channels: this.stride, offset: this.buffer.startUnit };
    return quietestCut({ geometry: g, view, totalUnits: total, target, previous: this.start });
  }

  /**
   * Drop what no later window can read once `received` units have arrived: everything before the
   * next window's start, its silence search, and the last window's length back from `received`
   * (were the stream to end there, a final window would slide back from the clip end).
   */
  private release(received: number): void {
    const g = this.geometry;
    const half = Math.floor(g.silenceWindowUnits / 2);
    const nextSearch = g.searchUnits === 0 ? Infinity : (this.index + 1) * g.chunkUnits - g.searchUnits - half;
    const lastWindow = g.fixedShape
      ? Math.floor((received - g.windowUnits) / g.granularityUnits) * g.granularityUnits
      : Infinity;
    this.buffer.dropBefore(Math.max(0, Math.min(this.start - g.contextBeforeUnits, nextSearch, lastWindow)));
  }
}
