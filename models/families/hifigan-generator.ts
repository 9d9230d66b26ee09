/**
 * The HiFi-GAN generator shared by the HiFi-GAN vocoder and RVC's NSF decoder: conv_pre, then
 * per upsample rate a LeakyReLU + ConvTranspose (kernel 2·rate-ish, symmetric padding so the
 * length is exactly ×rate) and one ResBlock1 (dilated k-convs, each followed by a dilation-1
 * conv), then conv_post and tanh. The real V1 averages three ResBlocks (kernels 3/7/11); one
 * keeps the reference small while keeping the shape of the computation.
 */
import type { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, convTranspose } from '../../src/onnx/layers.ts';
import type { ConvLayer1d } from '../receptive-field.ts';

export interface GeneratorHyper {
  /** Channels after conv_pre; halved at every upsample stage. */
  channels: number;
  upsampleRates: readonly number[];
  upsampleKernels: readonly number[];
  resblockKernel: number;
  resblockDilations: readonly number[];
}

const PRE_POST_KERNEL = 7;

/** Padding that makes a transposed conv upsample by exactly `rate`. */
export function upsamplePad(kernel: number, rate: number): number {
  return (kernel - rate) / 2;
}

/** The generator's layers, for receptive-field arithmetic (input frames → output samples). */
export function generatorLayers(h: GeneratorHyper): ConvLayer1d[] {
  const layers: ConvLayer1d[] = [{ kind: 'conv', kernel: PRE_POST_KERNEL }];
  h.upsampleRates.forEach((rate, i) => {
    layers.push({
      kind: 'up',
      kernel: h.upsampleKernels[i],
      stride: rate,
      pad: upsamplePad(h.upsampleKernels[i], rate),
    });
    for (const d of h.resblockDilations) {
      layers.push({ kind: 'conv', kernel: h.resblockKernel, dilation: d }, { kind: 'conv', kernel: h.resblockKernel });
    }
  });
  layers.push({ kind: 'conv', kernel: PRE_POST_KERNEL });
  return layers;
}

/**
 * x [B, cin, T] → audio [B, 1, T·∏rates]. `inject(i, x, ch)` may add a signal after upsample
 * stage i (RVC's harmonic source); `cond` [B, channels, 1] is added after conv_pre (speaker).
 */
export function hifiganGenerator(
  b: GraphBuilder,
  x: string,
  cin: number,
  h: GeneratorHyper,
  hooks: { cond?: string; inject?: (stage: number, x: string, channels: number) => string } = {},
): string {
  return b.scope('dec', () => {
    let y = conv(b, 'conv_pre', x, { cin, cout: h.channels, kernel: [PRE_POST_KERNEL] });
    if (hooks.cond) y = b.add(y, hooks.cond);
    let ch = h.channels;
    h.upsampleRates.forEach((rate, i) => {
      const k = h.upsampleKernels[i];
      const out = Math.max(1, ch / 2);
      y = convTranspose(b, `ups.${i}`, b.leakyRelu(y, 0.1), {
        cin: ch,
        cout: out,
        kernel: [k],
        stride: [rate],
        pads: [upsamplePad(k, rate), upsamplePad(k, rate)],
      });
      ch = out;
      if (hooks.inject) y = hooks.inject(i, y, ch);
      y = b.scope(`resblocks.${i}`, () => {
        let r = y;
        h.resblockDilations.forEach((d, j) => {
          let t = conv(b, `convs1.${j}`, b.leakyRelu(r, 0.1), {
            cin: ch,
            cout: ch,
            kernel: [h.resblockKernel],
            dilation: [d],
          });
          t = conv(b, `convs2.${j}`, b.leakyRelu(t, 0.1), { cin: ch, cout: ch, kernel: [h.resblockKernel] });
          r = b.add(r, t);
        });
        return r;
      });
    });
    const post = conv(b, 'conv_post', b.leakyRelu(y, 0.01), { cin: ch, cout: 1, kernel: [PRE_POST_KERNEL] });
    return b.tanh(post);
  });
}
