/**
 * The chunks a generating stage (whose inputs are all whole: a TTS) cuts its output into: chunk k
 * owns [k·S, min((k+1)·S, total)) seconds of the clip, S = the pipeline's `chunking.seconds`, and
 * frames [round(k·S·rate), round(end·rate)) of a stream at `rate` frames/s. A chunk is released
 * only once the stream has run past its end — one chunk is held back — so that the final chunk,
 * and only it, carries `last`.
 */
import type { ChunkInfo } from '../../src/core/types.ts';
import { InputError } from '../../src/core/errors.ts';

export interface GridChunk {
  chunk: ChunkInfo;
  /** Frames [startFrame, endFrame) of the stream. */
  startFrame: number;
  endFrame: number;
}

export class GridChunker {
  private next = 0;

  constructor(
    private readonly clipId: string,
    /** Chunk length, seconds. */
    private readonly seconds: number,
    /** Frames per second of the stream (samples/s for audio, mel frames/s for a mel). */
    private readonly rate: number,
  ) {
    if (!(seconds > 0)) throw new InputError(`chunk length ${seconds} s: expected > 0`);
  }

  private boundary(k: number): number {
    return Math.round(k * this.seconds * this.rate);
  }

  private make(k: number, endFrame: number, total: number | undefined): GridChunk {
    const last = total !== undefined && endFrame >= total;
    const end = last ? total / this.rate : (k + 1) * this.seconds;
    return {
      chunk: { clipId: this.clipId, index: k, start: k * this.seconds, end, last },
      startFrame: this.boundary(k),
      endFrame,
    };
  }

  /** Chunks that are complete, now that `available` frames exist (and more may follow). */
  ready(available: number): GridChunk[] {
    const out: GridChunk[] = [];
    // Chunk k is released once chunk k + 1 has begun, so k is known not to be the last.
    while (this.boundary(this.next + 1) < available)
      out.push(this.make(this.next, this.boundary(++this.next), undefined));
    return out;
  }

  /** The remaining chunks once the stream ended at `total` frames; the final one is `last` (chunk 0 if empty). */
  finish(total: number): GridChunk[] {
    const out: GridChunk[] = [];
    while (this.next === 0 || this.boundary(this.next) < total) {
      const k = this.next++;
      out.push(this.make(k, Math.min(this.boundary(k + 1), total), total));
      if (out.at(-1)!.chunk.last) break;
    }
    return out;
  }
}
