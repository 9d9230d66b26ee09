/**
 * A growing run of frames (audio samples, mel columns) that a generating stage (TTS) appends to
 * and cuts chunks from, by absolute frame index. Frames before the last cut are dropped, so memory
 * is bounded by what has been generated but not yet emitted, never by the clip length.
 */
import { InputError } from '../../src/core/errors.ts';

export class FrameQueue {
  private data: Float32Array;
  private length = 0;
  /** Absolute index of `data[0]`'s frame. */
  private base = 0;

  /** @param width values per frame, stored frame-major (1 for audio, 80 for a mel). */
  constructor(readonly width = 1) {
    this.data = new Float32Array(1024 * width);
  }

  /** Frames appended so far, in absolute count. */
  get end(): number {
    return this.base + this.length;
  }

  append(frames: Float32Array): void {
    if (frames.length % this.width !== 0)
      throw new InputError(`appending ${frames.length} values: expected a multiple of ${this.width}`);
    const need = this.length * this.width + frames.length;
    if (need > this.data.length) {
      const grown = new Float32Array(Math.max(need, 2 * this.data.length));
      grown.set(this.data.subarray(0, this.length * this.width));
      this.data = grown;
    }
    this.data.set(frames, this.length * this.width);
    this.length += frames.length / this.width;
  }

  /** A copy of frames [from, to) (frame-major); frames before `to` are dropped afterwards. */
  take(from: number, to: number): Float32Array {
    if (from < this.base || to > this.end || to < from) {
      throw new InputError(`frames [${from}, ${to}) requested; the queue holds [${this.base}, ${this.end})`);
    }
    const out = this.data.slice((from - this.base) * this.width, (to - this.base) * this.width);
    const drop = to - this.base;
    this.data.copyWithin(0, drop * this.width, this.length * this.width);
    this.length -= drop;
    this.base = to;
    return out;
  }
}
