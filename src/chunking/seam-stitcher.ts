/**
 * The stitcher's core, for any packet kind: takes one clip's chunk outputs in order, trims their
 * context and crossfades each seam, returning exactly each chunk's owned range. Data is laid out
 * as outer × units × inner (interleaved audio and RGB frames: outer 1; a [1, 80, T] mel with time
 * last: outer 80, inner 1), so one implementation serves audio, frames and tensors.
 *
 * The fade of the seam at s_k covers [s_k, s_k + overlap) — chunk k's head, and the first
 * `overlap` units of chunk k−1's trailing context (see geometry.ts) — so chunk k is returned as
 * soon as it arrives and only `overlap` units of chunk k−1 are held.
 */
import { StageError } from '../core/errors.ts';
import { fadeInGain, fadeOutGain, type SeamFade } from './seam-fade.ts';

export type StitchArray = Float32Array | Uint8Array;

export interface StitchPiece<A extends StitchArray> {
  /** Chunk index; must run 0, 1, 2, … */
  index: number;
  last: boolean;
  data: A;
  /** Elements before / after the unit axis (see the file comment). */
  outer: number;
  inner: number;
  /** Units of `data` before / after its owned range (ChunkInfo.contextBefore/After). */
  contextBefore: number;
  contextAfter: number;
}

export interface SeamStitcherOptions {
  /** Crossfade length at each seam, in the pieces' own units; 0 = butt-join. */
  overlapUnits: number;
  fade: SeamFade;
  /** Names the stage and clip in error messages. */
  stage: string;
  clipId: string;
}

export class SeamStitcher<A extends StitchArray> {
  private tail: { data: A; units: number } | undefined;
  private expected = 0;
  private done = false;

  constructor(private readonly options: SeamStitcherOptions) {}

  /** Chunk k's owned range, seam-blended with chunk k−1; layout outer × owned × inner. */
  push(piece: StitchPiece<A>): A {
    const { data, outer, inner, contextBefore: cb, contextAfter: ca } = piece;
    const fail = (message: string): never => {
      throw new StageError({ stage: this.options.stage, chunkIndex: piece.index }, `clip "${this.options.clipId}": ${message}`);
    };
    if (this.done) fail('chunk after the clip\'s last chunk');
    if (piece.index !== this.expected) fail(`chunks out of order: got index ${piece.index}, expected ${this.expected}`);
    const units = data.length / (outer * inner);
    const owned = units - cb - ca;
    if (!Number.isInteger(units) || !Number.isInteger(cb) || !Number.isInteger(ca) || cb < 0 || ca < 0 || owned < 0) {
      fail(`${data.length} elements (${outer}×units×${inner}) cannot hold ${cb} + owned + ${ca} context units`);
    }
    const make = data.constructor as new (length: number) => A;
    const out = new make(outer * owned * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * units + cb) * inner;
      out.set(data.subarray(from, from + owned * inner), o * owned * inner);
    }
    const overlap = this.options.overlapUnits;
    const fadeUnits = Math.min(overlap, owned);
    if (piece.index > 0 && fadeUnits > 0) {
      const tail = this.tail!;
      if (tail.units < fadeUnits) {
        fail(`the previous chunk carries ${tail.units} units after its owned range; the ${overlap}-unit seam crossfade needs them`);
      }
      this.blendHead(out, owned, tail, fadeUnits, piece);
    }
    const keep = Math.min(overlap, ca);
    const tail = new make(outer * keep * inner);
    for (let o = 0; o < outer; o++) {
      const from = (o * units + cb + owned) * inner;
      tail.set(data.subarray(from, from + keep * inner), o * keep * inner);
    }
    this.tail = { data: tail, units: keep };
    this.expected++;
    this.done = piece.last;
    return out;
  }

  private blendHead(out: A, owned: number, tail: { data: A; units: number }, n: number, piece: StitchPiece<A>): void {
    const { fade, overlapUnits } = this.options;
    const { outer, inner } = piece;
    const integer = out instanceof Uint8Array;
    for (let i = 0; i < n; i++) {
      const gIn = fadeInGain(fade, i, overlapUnits);
      const gOut = fadeOutGain(fade, i, overlapUnits);
      for (let o = 0; o < outer; o++) {
        const at = (o * owned + i) * inner;
        const prevAt = (o * tail.units + i) * inner;
        for (let j = 0; j < inner; j++) {
          const prev = tail.data[prevAt + j];
          const next = out[at + j];
          // prev + g·(next − prev): bit-exact `prev` when both chunks agree (see seam-fade.ts).
          const v = fade === 'equal-power' ? gOut * prev + gIn * next : prev + gIn * (next - prev);
          out[at + j] = integer ? Math.min(255, Math.max(0, Math.round(v))) : v;
        }
      }
    }
  }
}
