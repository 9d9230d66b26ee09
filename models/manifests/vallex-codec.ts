import type { ModelManifest } from '../manifest.ts';
import { contextFrames, stackReach } from '../receptive-field.ts';
import { codecLayers, type VallexCodecHyper } from '../families/vallex-codec.ts';

const base = { codebooks: 8, nFft: 1280, hop: 320, blocks: 2 };
const tiny: VallexCodecHyper = { ...base, codebookEntries: 128, dim: 32, ffn: 64 };
const context = contextFrames(stackReach(codecLayers(tiny)));

export const vallexCodec: ModelManifest<VallexCodecHyper> = {
  family: 'vallex-codec',
  summary: 'EnCodec codes (8 codebooks, 75 Hz) → 24 kHz audio, Vocos with its iSTFT in-graph',
  mirrors: 'axinc-ai/VALL-E-X vocos.onnx (codes [8,1,T]) followed by the iSTFT the split runs outside',
  inputs: [{ name: 'codes', dtype: 'int64', shape: [8, 1, 'T'], doc: 'codebook indices 0..1023' }],
  outputs: [{ name: 'audio', dtype: 'float32', shape: [1, 1, 'N'], doc: 'N = 320·T at 24 kHz' }],
  sampleRate: 24000,
  hop: 320,
  framesPerSecond: 75,
  receptiveField: {
    ...context,
    unit: 'code frames',
    exact: true,
    doc: 'conv embed k7 + 2 ConvNeXt k7 blocks + iSTFT (n_fft 1280 = 4 hops)',
  },
  granularity: { value: 1, unit: 'code frame', doc: '320 samples' },
  scales: { tiny, medium: { ...base, codebookEntries: 1024, dim: 256, ffn: 768 } },
  referenceNotes:
    'iSTFT folded in as a ConvTranspose with the windowed inverse-DFT basis; tiny takes codes modulo 128 per codebook to stay small',
};
