/**
 * Receptive field of a 1-D stack of convolutions, in input frames. Each layer is described at
 * its own sample rate; the reach of an output sample into its input is accumulated in units of
 * the stack's input frames, so upsampling layers contribute fractions of a frame.
 */

export type ConvLayer1d =
  /** Stride-1 conv with "same" padding (begin = ⌊d(k−1)/2⌋). */
  | { kind: 'conv'; kernel: number; dilation?: number }
  /** Transposed conv upsampling by `stride` with symmetric padding `pad`. */
  | { kind: 'up'; kernel: number; stride: number; pad: number };

export interface Reach {
  before: number;
  after: number;
}

/** Exact-or-conservative reach (fractional frames) of the stack's output into its input. */
export function stackReach(layers: readonly ConvLayer1d[], startRate = 1): Reach & { rate: number } {
  let before = 0;
  let after = 0;
  let rate = startRate;
  for (const l of layers) {
    if (l.kind === 'conv') {
      const total = (l.dilation ?? 1) * (l.kernel - 1);
      before += Math.floor(total / 2) / rate;
      after += Math.ceil(total / 2) / rate;
    } else {
      // out n = i·s − pad + j, j < kernel ⇒ i ∈ [(n + pad − kernel + 1)/s, (n + pad)/s].
      before += (l.kernel - 1 - l.pad) / (l.stride * rate);
      after += l.pad / (l.stride * rate);
      rate *= l.stride;
    }
  }
  return { before, after, rate };
}

/** Whole input frames of context needed on each side. */
export function contextFrames(reach: Reach): Reach {
  const eps = 1e-9;
  return { before: Math.ceil(reach.before - eps), after: Math.ceil(reach.after - eps) };
}
