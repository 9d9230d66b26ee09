import type { ModelManifest } from '../manifest.ts';
import type { ContentEncoderHyper } from '../families/content-encoder.ts';

export const contentEncoder: ModelManifest<ContentEncoderHyper> = {
  family: 'content-encoder',
  summary: 'HuBERT/ContentVec content encoder: 16 kHz audio → 768-d (RVC v2) or 256-d (v1) features at 50 frames/s',
  mirrors: "vec-768-layer-12.onnx as RVC's onnx_inference.py feeds it ([1,1,N] → [1,T,768])",
  inputs: [{ name: 'source', dtype: 'float32', shape: ['B', 1, 'N'], doc: '16 kHz mono, raw float waveform' }],
  outputs: [
    {
      name: 'features',
      dtype: 'float32',
      shape: ['B', 'T', 'D'],
      doc: "T = ⌊(N − 400)/320⌋ + 1; D = 768 for RVC v2 (HuBERT base layer 12), 256 for v1, the synthesizer's phone width",
    },
  ],
  sampleRate: 16000,
  hop: 320,
  framesPerSecond: 50,
  receptiveField: {
    before: 16000,
    after: 16000,
    unit: 'samples (16 kHz)',
    exact: false,
    doc: 'transformer layers attend over the whole segment: no finite context is exact; pad ≥ 1 s each side and cut at silences (RVC x_pad)',
  },
  granularity: { value: 320, unit: 'samples', doc: 'one feature frame; the conv front end sees a 400-sample window' },
  scales: {
    tiny: { convChannels: 16, dim: 32, heads: 2, layers: 1, ffn: 64, outputDim: 768 },
    medium: { convChannels: 128, dim: 192, heads: 4, layers: 2, ffn: 512, outputDim: 768 },
  },
  referenceNotes: 'HuBERT conv front end exactly; no positional conv; 1–2 layers instead of 12',
};
