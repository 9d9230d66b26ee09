/**
 * VALL-E X AR decoder step, the axinc split's `ar_decoder.onnx` contract: `xy_pos` [1,L,D]
 * (embedded, position-encoded text ‖ audio tokens of this step), `mask` [S,S] bool (True =
 * may not attend; the whole-sequence prefix mask), `past_kv` [layers,2,1,heads,P,hd], `offset`
 * [] = P → `logits` [1,1025] for the last position (index 1024 = EOS) and `kv_cache`
 * [layers,2,1,heads,P+L,hd]. The first call passes P = 0 and the whole prompt; later calls one token.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { layerNorm, linear, mergeHeads, scaledDotAttention, splitHeads, feedForward } from '../../src/onnx/layers.ts';

export interface VallexArHyper {
  dim: number;
  heads: number;
  layers: number;
  ffn: number;
  /** Logit rows: 1024 codebook entries + EOS. */
  vocab: number;
  /** Sequence position after which the EOS logit is pushed up, so greedy decoding of random weights ends. */
  eosAfter: number;
  /** EOS logit gain per position past `eosAfter`. */
  eosSlope: number;
}

export function buildVallexAr(h: VallexArHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('vallex-ar', seed);
  const hd = h.dim / h.heads;
  const xyPos = b.input('xy_pos', 'float32', [1, 'L', h.dim], 'text ‖ audio embeddings with positions, this step');
  const mask = b.input('mask', 'bool', ['S', 'S'], 'attention mask over the whole sequence, True = masked');
  const pastKv = b.input(
    'past_kv',
    'float32',
    [h.layers, 2, 1, h.heads, 'P', hd],
    'keys/values of the P earlier positions',
  );
  const offset = b.input('offset', 'int64', [], 'P: position of the first query in this step');

  const start = b.unsqueeze(offset, [0]);
  const end = b.add(start, b.dim(xyPos, 1));
  const rows = b.slice(b.slice(mask, [start], [end], [0]), [0], [end], [1]);
  const additive = b.op('Where', [rows, b.constFloat([-1e9], []), b.constFloat([0], [])]);

  let x = xyPos;
  const caches: string[] = [];
  for (let i = 0; i < h.layers; i++) {
    x = b.scope(`layers.${i}`, () => {
      const n = layerNorm(b, 'norm1', x, h.dim);
      const q = splitHeads(b, linear(b, 'q', n, h.dim, h.dim), h.heads, hd);
      const kNew = splitHeads(b, linear(b, 'k', n, h.dim, h.dim), h.heads, hd);
      const vNew = splitHeads(b, linear(b, 'v', n, h.dim, h.dim), h.heads, hd);
      const past = b.gather(pastKv, b.constInt([i], []), 0);
      const k = b.concat([b.gather(past, b.constInt([0], []), 0), kNew], 2);
      const v = b.concat([b.gather(past, b.constInt([1], []), 0), vNew], 2);
      caches.push(b.unsqueeze(b.concat([b.unsqueeze(k, [0]), b.unsqueeze(v, [0])], 0), [0]));
      const att = linear(
        b,
        'out',
        mergeHeads(b, scaledDotAttention(b, q, k, v, hd, additive), h.heads, hd),
        h.dim,
        h.dim,
      );
      const y = b.add(x, att);
      return b.add(y, feedForward(b, 'ffn', layerNorm(b, 'norm2', y, h.dim), h.dim, h.ffn));
    });
  }
  const last = b.slice(x, [-1], [2 ** 31 - 1], [1]);
  let logits = b.reshape(linear(b, 'predict_layer', layerNorm(b, 'norm', last, h.dim), h.dim, h.vocab), [1, h.vocab]);
  const position = b.cast(b.sub(end, b.constInt([1])), 'float32');
  const push = b.mul(b.relu(b.sub(position, b.constFloat([h.eosAfter]))), b.constFloat([h.eosSlope]));
  const eosRow = new Float32Array(h.vocab);
  eosRow[h.vocab - 1] = 1;
  logits = b.add(logits, b.mul(b.constFloat(eosRow, [1, h.vocab]), b.unsqueeze(push, [0])));
  b.output(logits, 'logits', 'float32', [1, h.vocab], 'next-token logits of codebook 1; index 1024 = EOS');
  b.output(
    b.concat(caches, 0),
    'kv_cache',
    'float32',
    [h.layers, 2, 1, h.heads, 'P_next', hd],
    'past_kv for the next step (P + L positions)',
  );
  return b.model({ doc: 'reel reference VALL-E X AR decoder step (seeded random weights)' });
}
