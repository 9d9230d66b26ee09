/**
 * Content encoder (HuBERT / ContentVec as RVC uses it): 16 kHz `source` [B,1,N] → `features`
 * [B,T,768] at 50 frames/s. HuBERT's conv feature extractor exactly (kernels 10,3,3,3,3,2,2,
 * strides 5,2,2,2,2,2,2: 400-sample window, 320-sample hop, T = ⌊(N − 400)/320⌋ + 1), then
 * transformer blocks that attend over the whole segment and a projection to 768.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, layerNorm, linear, transformerBlock } from '../../src/onnx/layers.ts';

export interface ContentEncoderHyper {
  convChannels: number;
  dim: number;
  heads: number;
  layers: number;
  ffn: number;
  outputDim: number;
}

export const FEATURE_KERNELS = [10, 3, 3, 3, 3, 2, 2];
export const FEATURE_STRIDES = [5, 2, 2, 2, 2, 2, 2];

export function buildContentEncoder(h: ContentEncoderHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('content-encoder', seed);
  const source = b.input('source', 'float32', ['B', 1, 'N'], '16 kHz mono waveform');
  let x = source;
  let cin = 1;
  FEATURE_KERNELS.forEach((k, i) => {
    x = b.gelu(
      conv(b, `feature_extractor.${i}`, x, {
        cin,
        cout: h.convChannels,
        kernel: [k],
        stride: [FEATURE_STRIDES[i]],
        pads: [0, 0],
        bias: false,
      }),
    );
    cin = h.convChannels;
  });
  let t = layerNorm(b, 'feature_norm', b.transpose(x, [0, 2, 1]), h.convChannels);
  t = linear(b, 'feature_projection', t, h.convChannels, h.dim);
  for (let i = 0; i < h.layers; i++)
    t = transformerBlock(b, `encoder.layers.${i}`, t, { dim: h.dim, heads: h.heads, ffn: h.ffn });
  const out = linear(b, 'final_proj', layerNorm(b, 'encoder.norm', t, h.dim), h.dim, h.outputDim);
  b.output(out, 'features', 'float32', ['B', 'T', h.outputDim], 'content features, 50 frames/s');
  return b.model({ doc: 'reel reference content encoder, HuBERT/ContentVec contract (seeded random weights)' });
}
