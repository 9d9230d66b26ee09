import type { ModelManifest } from '../manifest.ts';
import { contextFrames, stackReach } from '../receptive-field.ts';
import { generatorLayers } from '../families/hifigan-generator.ts';
import type { HifiganHyper } from '../families/hifigan.ts';

const structure = {
  upsampleRates: [8, 8, 2, 2],
  upsampleKernels: [16, 16, 4, 4],
  resblockKernel: 3,
  resblockDilations: [1, 3, 5],
  melBands: 80,
};
const context = contextFrames(stackReach(generatorLayers({ ...structure, channels: 1 })));

export const hifigan: ModelManifest<HifiganHyper> = {
  family: 'hifigan',
  summary: 'HiFi-GAN vocoder: log-mel [B,80,T] → 22.05 kHz waveform, 256 samples per frame',
  mirrors: 'NVIDIA/NeMo HifiGanModel export (input `spec`, output `audio`)',
  inputs: [
    { name: 'spec', dtype: 'float32', shape: ['B', 80, 'T'], doc: 'log-mel, n_fft 1024, hop 256, 80 bands 0–8 kHz' },
  ],
  outputs: [{ name: 'audio', dtype: 'float32', shape: ['B', 1, 'T_audio'], doc: 'T_audio = 256·T, in [-1, 1]' }],
  sampleRate: 22050,
  hop: 256,
  framesPerSecond: 22050 / 256,
  receptiveField: {
    ...context,
    unit: 'mel frames',
    exact: true,
    doc: 'conv_pre k7, ConvTranspose ×8,×8,×2,×2 (k16,16,4,4), ResBlock1 k3 d1/3/5, conv_post k7; the real V1 (k3/7/11) reaches ≈ ±13 frames',
  },
  granularity: { value: 1, unit: 'mel frame', doc: 'one mel frame = 256 output samples' },
  scales: { tiny: { ...structure, channels: 32 }, medium: { ...structure, channels: 128 } },
  referenceNotes: 'one ResBlock1 per stage instead of three; 32/128 channels instead of 512',
};
