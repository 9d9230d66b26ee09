import type { ModelManifest } from '../manifest.ts';
import type { VallexNarHyper } from '../families/vallex-nar.ts';

export const vallexNar: ModelManifest<VallexNarHyper> = {
  family: 'vallex-nar',
  summary: 'VALL-E X NAR decoder: fills codebooks 2–8 greedily, one pass per codebook',
  mirrors: 'axinc-ai/VALL-E-X nar_decoder.onnx + nar_predict_layers.onnx (xy_pos, offset), folded into one graph',
  inputs: [
    {
      name: 'xy_pos',
      dtype: 'float32',
      shape: [1, 'L', 'D'],
      doc: 'text ‖ audio (sum of codebooks 1..j) embeddings with positions',
    },
    { name: 'offset', dtype: 'int64', shape: [], doc: 'NAR stage 0..6: predicts codebook offset + 2' },
  ],
  outputs: [
    {
      name: 'logits',
      dtype: 'float32',
      shape: [1, 'L', 1024],
      doc: 'every position; keep the audio positions (after text + prompt)',
    },
  ],
  sampleRate: 24000,
  hop: 320,
  framesPerSecond: 75,
  receptiveField: { before: 0, after: 0, unit: 'tokens', exact: false, doc: 'attends over the whole sentence' },
  granularity: { value: 1, unit: 'sentence', doc: '7 passes per sentence' },
  scales: {
    tiny: { dim: 32, heads: 2, layers: 2, ffn: 64, stages: 7, vocab: 1024 },
    medium: { dim: 256, heads: 8, layers: 6, ffn: 1024, stages: 7, vocab: 1024 },
  },
  referenceNotes: 'one shared predict matrix plus a per-stage bias (the real model has 7 predict layers)',
};
