/**
 * Cuts a stream of RGB24 frames (blocks of any number of whole frames) into chunks on the time
 * grid: chunk k owns frames [round(k·S·fps), round((k+1)·S·fps)) and the time range
 * [k·S, (k+1)·S), the last chunk ending at the final frame (frames/fps). A chunk is handed out as
 * soon as the first frame after it arrives (proof that it is not the last), so at most one chunk
 * and one frame are held whatever the video length.
 */
import type { VideoPacket } from '../../src/core/types.ts';
import { chunkInfo } from './source-input.ts';

/** Frame index where chunk k of a grid of `chunkSeconds` starts, at `fps`. */
export function gridFrame(k: number, chunkSeconds: number, fps: number): number {
  return Math.round(k * chunkSeconds * fps);
}

export interface FrameChunkerOptions {
  clipId: string;
  width: number;
  height: number;
  fps: number;
  /** Chunk length on the grid, seconds (see gridChunkSeconds). */
  chunkSeconds: number;
  /**
   * Chunks in shared memory: every consumer's worker (and every item that takes the chunk as a
   * neighbour) reads the same bytes instead of a copy each. For a looped face stream.
   */
  shared?: boolean;
}

interface OpenChunk {
  index: number;
  startFrame: number;
  /** Frames the chunk owns once full. */
  capacity: number;
  filled: number;
  data: Uint8Array;
}

export class FrameChunker {
  private readonly frameBytes: number;
  private open: OpenChunk | undefined;
  /** A full chunk waiting for a frame after it (then it is not the last). */
  private full: OpenChunk | undefined;
  private nextIndex = 0;
  private frames = 0;

  constructor(private readonly o: FrameChunkerOptions) {
    this.frameBytes = o.width * o.height * 3;
  }

  private boundary(k: number): number {
    return gridFrame(k, this.o.chunkSeconds, this.o.fps);
  }

  /** Adds whole frames; returns the chunks they complete. */
  push(block: Uint8Array): VideoPacket[] {
    const out: VideoPacket[] = [];
    for (let off = 0; off < block.byteLength; ) {
      if (!this.open) {
        // A frame exists after the full chunk: it was not the last.
        if (this.full) out.push(this.packet(this.full, false));
        this.full = undefined;
        this.open = this.startChunk();
      }
      const c = this.open;
      const n = Math.min(c.capacity - c.filled, (block.byteLength - off) / this.frameBytes);
      c.data.set(block.subarray(off, off + n * this.frameBytes), c.filled * this.frameBytes);
      c.filled += n;
      this.frames += n;
      off += n * this.frameBytes;
      if (c.filled === c.capacity) {
        this.full = c;
        this.open = undefined;
      }
    }
    return out;
  }

  /** The stream ended: the remaining chunk(s), the final one marked last. */
  end(): VideoPacket[] {
    const out: VideoPacket[] = [];
    if (this.open && this.open.filled > 0) {
      if (this.full) out.push(this.packet(this.full, false));
      out.push(this.packet(this.open, true));
    } else if (this.full) {
      out.push(this.packet(this.full, true));
    }
    this.open = this.full = undefined;
    return out;
  }

  get framesReceived(): number {
    return this.frames;
  }

  private startChunk(): OpenChunk {
    const index = this.nextIndex++;
    const startFrame = this.boundary(index);
    // A chunk shorter than a frame would own nothing; the grid is made coarse enough by the caller.
    const capacity = Math.max(1, this.boundary(index + 1) - startFrame);
    const bytes = capacity * this.frameBytes;
    const data = this.o.shared ? new Uint8Array(new SharedArrayBuffer(bytes)) : new Uint8Array(bytes);
    return { index, startFrame, capacity, filled: 0, data };
  }

  private packet(c: OpenChunk, last: boolean): VideoPacket {
    const { clipId, width, height, fps, chunkSeconds } = this.o;
    const end = last ? (c.startFrame + c.filled) / fps : (c.index + 1) * chunkSeconds;
    return {
      kind: 'video',
      chunk: chunkInfo(clipId, c.index, c.index * chunkSeconds, end, last),
      width,
      height,
      fps,
      startFrame: c.startFrame,
      frameCount: c.filled,
      data: c.filled === c.capacity ? c.data : c.data.slice(0, c.filled * this.frameBytes),
    };
  }
}
