/**
 * T5-style text encoder contract: `input_ids` [B,L] → `last_hidden_state` [B,L,D]. Token
 * embedding, pre-norm transformer blocks with full attention, final norm. Ids are taken modulo
 * the reference table size so a real T5 tokenizer's ids (vocabulary 32128) always index it.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { embedding, layerNorm, transformerBlock } from '../../src/onnx/layers.ts';

export interface TextEncoderHyper {
  vocab: number;
  dim: number;
  heads: number;
  layers: number;
  ffn: number;
}

export function buildTextEncoder(h: TextEncoderHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('text-encoder', seed);
  const ids = b.input('input_ids', 'int64', ['B', 'L'], 'token ids (T5 tokenizer, padded to 226 for CogVideoX)');
  let x = embedding(b, 'shared', b.op('Mod', [ids, b.constInt([h.vocab], [])]), h.vocab, h.dim);
  for (let i = 0; i < h.layers; i++)
    x = transformerBlock(b, `block.${i}`, x, { dim: h.dim, heads: h.heads, ffn: h.ffn });
  b.output(
    layerNorm(b, 'final_layer_norm', x, h.dim),
    'last_hidden_state',
    'float32',
    ['B', 'L', h.dim],
    'encoder states',
  );
  return b.model({ doc: 'reel reference T5-style text encoder (seeded random weights)' });
}
