import type { ModelManifest } from '../manifest.ts';
import type { Wav2lipHyper } from '../families/wav2lip.ts';

export const wav2lip: ModelManifest<Wav2lipHyper> = {
  family: 'wav2lip',
  summary: 'Wav2Lip: a 200 ms mel window + masked/reference face crops → lip-synced 96×96 face',
  mirrors: 'Rudrabha/Wav2Lip, community ONNX exports (mel_spectrogram, video_frames)',
  inputs: [
    {
      name: 'mel_spectrogram',
      dtype: 'float32',
      shape: ['B', 1, 80, 16],
      doc: '80 bands × 16 frames at 80 frames/s (16 kHz, hop 200), normalised to [-4, 4]',
    },
    {
      name: 'video_frames',
      dtype: 'float32',
      shape: ['B', 6, 96, 96],
      doc: 'lower-half-masked crop ‖ reference crop, BGR /255',
    },
  ],
  outputs: [{ name: 'output', dtype: 'float32', shape: ['B', 3, 96, 96], doc: 'BGR in [0, 1]' }],
  sampleRate: 16000,
  hop: 200,
  framesPerSecond: 80,
  receptiveField: {
    before: 0,
    after: 0,
    unit: 'video frames',
    exact: true,
    doc: 'no temporal state: frame i needs only its own mel window [⌊i·80/fps⌋, +16) (200 ms after its start) and the 5-frame box smoothing done outside the model',
  },
  granularity: { value: 1, unit: 'video frame', doc: 'frames are independent; batch them' },
  scales: {
    tiny: { faceChannels: [8, 16, 16, 32, 32, 32], audioChannels: [8, 16, 32] },
    medium: { faceChannels: [32, 64, 128, 128, 256, 256], audioChannels: [32, 64, 128] },
  },
  referenceNotes: 'one conv per encoder/decoder level (the real model stacks residual convs); same U-Net skips',
};
