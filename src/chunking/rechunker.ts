/**
 * The streaming chunker: takes a clip as blocks of any size while its length is unknown and hands
 * out each chunk as soon as its end is decided — on the grid, or where its cut rule (the quietest
 * point by default; cut-rule.ts) puts it once the rule's lookahead has arrived. It holds at most one
 * chunk plus the rule's lookahead and reach-back plus one incoming block, whatever the clip length.
 *
 * It cuts exactly as the offline `planChunks` + `silenceCuts` would on the whole clip: both go
 * through `quietestCut`, and a cut is only made before the end is seen where knowing the total
 * would not move it.
 */
import { quietestRule, type CutRule } from './cut-rule.ts';
import type { ChunkGeometry } from './geometry.ts';
import type { PlannedChunk } from './plan.ts';
import { UnitBuffer } from './unit-buffer.ts';

export interface ChunkSlice {
  plan: PlannedChunk;
  /** `plan.end − plan.start` units, unit-major (a copy). */
  data: Float32Array;
}

export class Rechunker {
  private readonly buffer: UnitBuffer;
  private index = 0;
  /** Start of the next chunk, units. */
  private start = 0;
  /** End of the next chunk once decided. */
  private decidedEnd: number | undefined;
  private ended = false;
  private peak = 0;

  /** `stride`: elements per unit (channels for interleaved audio); `rule` moves each grid boundary (default: the quietest point). */
  constructor(
    readonly geometry: ChunkGeometry,
    readonly stride: number,
    readonly rule: CutRule = quietestRule(geometry),
    /** Chunks in shared memory (ChunkAudioOptions.shared). */
    private readonly shared = false,
  ) {
    this.buffer = new UnitBuffer(stride, geometry.maxChunkUnits + rule.lookaheadUnits + rule.reachBackUnits);
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
  push(block: Float32Array): ChunkSlice[] {
    if (this.ended) throw new Error('Rechunker.push after end()');
    if (block.length % this.stride !== 0) {
      throw new RangeError(`block of ${block.length} elements is not a whole number of ${this.stride}-element units`);
    }
    this.buffer.append(block);
    this.peak = Math.max(this.peak, this.buffer.heldUnits);
    return this.drain();
  }

  /** The stream is over: take the remaining chunks; the final one has `plan.last`. */
  end(): ChunkSlice[] {
    this.ended = true;
    return this.drain();
  }

  /** The chunks that a rule's `prepare` has since let be cut. */
  resume(): ChunkSlice[] {
    return this.drain();
  }

  private drain(): ChunkSlice[] {
    const out: ChunkSlice[] = [];
    for (;;) {
      const next = this.nextChunk();
      if (!next) return out;
      out.push(next);
    }
  }

  private nextChunk(): ChunkSlice | undefined {
    const received = this.buffer.endUnit;
    const total = this.ended ? received : undefined;
    if (total !== undefined && this.start >= total) return undefined;
    this.decidedEnd ??= this.decideEnd(received, total);
    const end = this.decidedEnd;
    // Before the end is seen, a chunk needs proof (one unit beyond its end) that it is not the last.
    if (end === undefined || (total === undefined && received <= end)) return undefined;
    const length = (end - this.start) * this.stride;
    const data = this.shared ? new Float32Array(new SharedArrayBuffer(length * 4)) : new Float32Array(length);
    this.buffer.copyInto(data, 0, this.start, end);
    const plan = { index: this.index, start: this.start, end, last: end === total };
    this.index++;
    this.start = end;
    this.decidedEnd = undefined;
    this.release();
    return { plan, data };
  }

  /** The end of the current chunk, once enough of the stream has arrived to know it. */
  private decideEnd(received: number, total: number | undefined): number | undefined {
    // Targets stay on the grid k·chunk, as in RVC, so one silence cut never pushes the next.
    const target = (this.index + 1) * this.geometry.chunkUnits;
    if (total !== undefined && target >= total) return total;
    const g = this.geometry;
    if (g.searchUnits === 0) return received > target || total !== undefined ? target : undefined;
    if (total === undefined && received < target + this.rule.lookaheadUnits) return undefined;
    const view = { data: this.buffer.view(), channels: this.stride, offset: this.buffer.startUnit };
    return this.rule.cut({ geometry: g, view, totalUnits: total, target, previous: this.start });
  }

  /**
   * Drop what no later chunk can read: everything before the next chunk's start and before the
   * reach of the next cut's rule (a measuring window, or a model's warm-up, reaches back past the search).
   */
  private release(): void {
    const g = this.geometry;
    const nextSearch =
      g.searchUnits === 0 ? Infinity : (this.index + 1) * g.chunkUnits - g.searchUnits - this.rule.reachBackUnits;
    this.buffer.dropBefore(Math.max(0, Math.min(this.start, nextSearch)));
  }
}
