/**
 * VALL-E X NAR decoder: the axinc split's `nar_decoder.onnx` and `nar_predict_layers.onnx`
 * folded into one graph. `xy_pos` [1,L,D] (text ‖ summed audio embeddings of codebooks
 * 1..j), `offset` [] = j − 1 (NAR stage 0..6) → `logits` [1,L,1024] for every position; the
 * caller keeps the audio positions. The stage selects the adaptive-norm scale/shift (as the
 * real NAR does) and a per-stage logit bias; the predict layer's matrix is shared across stages
 * in the reference (the real model has one per stage) to stay small.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { attention, feedForward, layerNorm, linear } from '../../src/onnx/layers.ts';

export interface VallexNarHyper {
  dim: number;
  heads: number;
  layers: number;
  ffn: number;
  stages: number;
  vocab: number;
}

export function buildVallexNar(h: VallexNarHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('vallex-nar', seed);
  const xyPos = b.input('xy_pos', 'float32', [1, 'L', h.dim], 'text ‖ audio embeddings with positions');
  const offset = b.input('offset', 'int64', [], 'NAR stage: predicts codebook offset + 2');
  const stage = b.op('Mod', [offset, b.constInt([h.stages], [])]);

  const adaLn = (name: string, x: string): string =>
    b.scope(name, () => {
      const n = b.op(
        'LayerNormalization',
        [x, b.constFloat(new Float32Array(h.dim).fill(1)), b.constFloat(new Float32Array(h.dim))],
        { axis: -1 },
      );
      const table = b.param('stage_embedding', [h.stages, 2 * h.dim], { std: 0.1 });
      const ss = b.gather(table, stage, 0);
      const scale = b.slice(ss, [0], [h.dim], [0]);
      const shift = b.slice(ss, [h.dim], [2 * h.dim], [0]);
      return b.add(b.mul(n, b.add(scale, b.constFloat([1], []))), shift);
    });

  let x = xyPos;
  for (let i = 0; i < h.layers; i++) {
    x = b.scope(`layers.${i}`, () => {
      const y = b.add(x, attention(b, 'attn', adaLn('norm1', x), { dim: h.dim, heads: h.heads }));
      return b.add(y, feedForward(b, 'ffn', adaLn('norm2', y), h.dim, h.ffn));
    });
  }
  const stageBias = b.gather(b.param('predict_layers.stage_bias', [h.stages, h.vocab], { std: 0.1 }), stage, 0);
  const logits = b.add(linear(b, 'predict_layers.shared', layerNorm(b, 'norm', x, h.dim), h.dim, h.vocab), stageBias);
  b.output(logits, 'logits', 'float32', [1, 'L', h.vocab], 'logits of codebook offset + 2 at every position');
  return b.model({ doc: 'reel reference VALL-E X NAR decoder (seeded random weights)' });
}
