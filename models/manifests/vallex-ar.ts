import type { ModelManifest } from '../manifest.ts';
import type { VallexArHyper } from '../families/vallex-ar.ts';

export const vallexAr: ModelManifest<VallexArHyper> = {
  family: 'vallex-ar',
  summary: 'VALL-E X AR decoder step: samples codebook 1 token by token with an explicit KV cache',
  mirrors: 'axinc-ai/VALL-E-X ar_decoder.onnx (xy_pos, mask, past_kv, offset → logits, kv_cache)',
  inputs: [
    {
      name: 'xy_pos',
      dtype: 'float32',
      shape: [1, 'L', 'D'],
      doc: "this step's embedded text ‖ audio positions (whole prompt first, then 1)",
    },
    {
      name: 'mask',
      dtype: 'bool',
      shape: ['S', 'S'],
      doc: 'whole-sequence attention mask (S ≥ offset + L), True = masked',
    },
    {
      name: 'past_kv',
      dtype: 'float32',
      shape: ['layers', 2, 1, 'heads', 'P', 'head_dim'],
      doc: 'cache of P earlier positions; P = 0 on the first call',
    },
    { name: 'offset', dtype: 'int64', shape: [], doc: 'P' },
  ],
  outputs: [
    { name: 'logits', dtype: 'float32', shape: [1, 1025], doc: 'last position; 0..1023 codes, 1024 = EOS' },
    {
      name: 'kv_cache',
      dtype: 'float32',
      shape: ['layers', 2, 1, 'heads', 'P_next', 'head_dim'],
      doc: 'P_next = P + L; feed back as past_kv',
    },
  ],
  sampleRate: 24000,
  hop: 320,
  framesPerSecond: 75,
  receptiveField: {
    before: 0,
    after: 0,
    unit: 'tokens',
    exact: false,
    doc: 'autoregressive over the whole sentence (prompt + text); split long text into sentences',
  },
  granularity: { value: 1, unit: 'sentence', doc: 'one decode per sentence; stop at EOS or 16 × text length' },
  scales: {
    tiny: { dim: 32, heads: 2, layers: 2, ffn: 64, vocab: 1025, eosAfter: 1400, eosSlope: 0.5 },
    medium: { dim: 256, heads: 8, layers: 6, ffn: 1024, vocab: 1025, eosAfter: 1400, eosSlope: 0.5 },
  },
  referenceNotes:
    'D, layers, heads are 1024/12/16 in the real model (the file declares its own numbers); embeddings and positions sit outside the graph as in the axinc split; the EOS logit rises after `eosAfter` positions (past the longest 15 s prompt of 1125 codes plus its text) so greedy decoding of random weights terminates; before that, the 16 × text-length guard of the stage ends a sentence',
};
