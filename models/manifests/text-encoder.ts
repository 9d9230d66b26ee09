import type { ModelManifest } from '../manifest.ts';
import type { TextEncoderHyper } from '../families/text-encoder.ts';

export const textEncoder: ModelManifest<TextEncoderHyper> = {
  family: 'text-encoder',
  summary: 'T5-style text encoder: prompt token ids → per-token states for the DiT',
  mirrors:
    'T5 v1.1 encoder as exported by optimum (input_ids → last_hidden_state); CogVideoX uses 226 tokens, D = 4096',
  inputs: [{ name: 'input_ids', dtype: 'int64', shape: ['B', 'L'], doc: 'T5 tokenizer ids, padded/truncated to 226' }],
  outputs: [
    {
      name: 'last_hidden_state',
      dtype: 'float32',
      shape: ['B', 'L', 'D'],
      doc: 'D = 4096 for T5-XXL; the reference file declares its own',
    },
  ],
  receptiveField: {
    before: 0,
    after: 0,
    unit: 'tokens',
    exact: false,
    doc: 'whole prompt at once; outputs are cached per prompt',
  },
  granularity: { value: 1, unit: 'prompt', doc: 'one run per prompt' },
  scales: {
    tiny: { vocab: 512, dim: 32, heads: 2, layers: 1, ffn: 64 },
    medium: { vocab: 4096, dim: 256, heads: 4, layers: 4, ffn: 1024 },
  },
  referenceNotes: 'ids are taken modulo the table size; no relative position bias',
};
