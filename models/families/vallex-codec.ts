/**
 * VALL-E X codec decoder: EnCodec codes → 24 kHz audio, the Vocos decoder of the axinc split
 * with its iSTFT folded into the graph. `codes` [8,1,T] → summed codebook embeddings → conv
 * embed + ConvNeXt blocks → magnitude/phase for n_fft/2+1 bins → iSTFT (hann, hop 320) as one
 * ConvTranspose whose weights are the windowed inverse-DFT basis, computed in-graph (so the
 * 1.6 M-entry basis costs no file size) → `audio` [1,1,320·T].
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, layerNorm, linear } from '../../src/onnx/layers.ts';
import type { ConvLayer1d } from '../receptive-field.ts';

export interface VallexCodecHyper {
  codebooks: number;
  /** Rows per codebook in the reference table; codes are taken modulo it (real: 1024). */
  codebookEntries: number;
  dim: number;
  ffn: number;
  blocks: number;
  nFft: number;
  hop: number;
}

const KERNEL = 7;

export function codecLayers(h: VallexCodecHyper): ConvLayer1d[] {
  const convs: ConvLayer1d[] = Array.from({ length: h.blocks + 1 }, () => ({ kind: 'conv', kernel: KERNEL }));
  return [...convs, { kind: 'up', kernel: h.nFft, stride: h.hop, pad: (h.nFft - h.hop) / 2 }];
}

/** [2·bins, 1, nFft] irfft basis × hann window, so that ConvTranspose performs overlap-add. */
function istftBasis(b: GraphBuilder, nFft: number): string {
  const bins = nFft / 2 + 1;
  const k = b.reshape(b.op('Range', [b.constInt([0], []), b.constInt([bins], []), b.constInt([1], [])]), [bins, 1]);
  const n = b.reshape(b.op('Range', [b.constInt([0], []), b.constInt([nFft], []), b.constInt([1], [])]), [1, nFft]);
  // k·n mod N in integers keeps the angle exact before it becomes float.
  const angle = b.mul(
    b.cast(b.op('Mod', [b.mul(k, n), b.constInt([nFft], [])]), 'float32'),
    b.constFloat([(2 * Math.PI) / nFft], []),
  );
  const weight = Float32Array.from({ length: bins }, (_, i) => (i === 0 || i === bins - 1 ? 1 : 2) / nFft);
  const hann = Float32Array.from({ length: nFft }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft));
  const scale = (x: string): string => b.mul(b.mul(x, b.constFloat(weight, [bins, 1])), b.constFloat(hann, [1, nFft]));
  const re = scale(b.op('Cos', [angle]));
  const im = scale(b.mul(b.op('Sin', [angle]), b.constFloat([-1], [])));
  return b.unsqueeze(b.concat([re, im], 0), [1]);
}

export function buildVallexCodec(h: VallexCodecHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('vallex-codec', seed);
  const bins = h.nFft / 2 + 1;
  const codes = b.input('codes', 'int64', [h.codebooks, 1, 'T'], 'EnCodec codes, 8 codebooks at 75 Hz');
  const offsets = Array.from({ length: h.codebooks }, (_, q) => q * h.codebookEntries);
  const rows = b.add(
    b.op('Mod', [codes, b.constInt([h.codebookEntries], [])]),
    b.constInt(offsets, [h.codebooks, 1, 1]),
  );
  const table = b.param('feature_extractor.codebook_weights', [h.codebooks * h.codebookEntries, h.dim], {
    std: 1 / Math.sqrt(h.codebooks),
  });
  const summed = b.op('ReduceSum', [b.gather(table, rows, 0), b.constInt([0])], { keepdims: 0 });

  let x = conv(b, 'backbone.embed', b.transpose(summed, [0, 2, 1]), { cin: h.dim, cout: h.dim, kernel: [KERNEL] });
  x = b.transpose(layerNorm(b, 'backbone.norm', b.transpose(x, [0, 2, 1]), h.dim), [0, 2, 1]);
  for (let i = 0; i < h.blocks; i++) {
    x = b.scope(`backbone.convnext.${i}`, () => {
      const dw = conv(b, 'dwconv', x, { cin: h.dim, cout: h.dim, kernel: [KERNEL], groups: h.dim });
      const t = layerNorm(b, 'norm', b.transpose(dw, [0, 2, 1]), h.dim);
      const y = linear(b, 'pwconv2', b.gelu(linear(b, 'pwconv1', t, h.dim, h.ffn)), h.ffn, h.dim);
      return b.add(x, b.transpose(y, [0, 2, 1]));
    });
  }
  const frames = layerNorm(b, 'backbone.final_layer_norm', b.transpose(x, [0, 2, 1]), h.dim);
  const head = b.transpose(linear(b, 'head.out', frames, h.dim, 2 * bins), [0, 2, 1]);
  const logMag = b.slice(head, [0], [bins], [1]);
  const phase = b.slice(head, [bins], [2 * bins], [1]);
  const mag = b.op('Exp', [b.op('Clip', [logMag, '', b.constFloat([Math.log(100)], [])])]);
  const spectrum = b.concat([b.mul(mag, b.op('Cos', [phase])), b.mul(mag, b.op('Sin', [phase]))], 1);
  const pad = (h.nFft - h.hop) / 2;
  const ola = b.op('ConvTranspose', [spectrum, istftBasis(b, h.nFft)], {
    kernel_shape: [h.nFft],
    strides: [h.hop],
    pads: [pad, pad],
  });
  // Σ hann² over overlapping frames is constant (3N/8 per hop) away from the clip edges.
  const envelope = (3 * h.nFft) / (8 * h.hop);
  const audio = b.mul(ola, b.constFloat([1 / envelope], []));
  b.output(audio, 'audio', 'float32', [1, 1, 'N'], `24 kHz waveform, N = ${h.hop}·T`);
  return b.model({ doc: 'reel reference VALL-E X codec decoder, Vocos + iSTFT (seeded random weights)' });
}
