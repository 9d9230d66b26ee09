import type { ModelManifest } from '../manifest.ts';
import { contextFrames, stackReach } from '../receptive-field.ts';
import { rvcLayers, type RvcHyper } from '../families/rvc.ts';

const generator = {
  upsampleRates: [10, 10, 2, 2],
  upsampleKernels: [16, 16, 4, 4],
  resblockKernel: 3,
  resblockDilations: [1, 3, 5],
};
const base = {
  sampleRate: 40000,
  phoneDim: 768,
  interChannels: 192,
  encoderKernel: 3,
  flowKernel: 5,
  speakers: 4,
  speakerDim: 16,
};
const tiny: RvcHyper = { ...base, hidden: 32, encoderLayers: 2, generator: { ...generator, channels: 32 } };
const medium: RvcHyper = { ...base, hidden: 192, encoderLayers: 2, generator: { ...generator, channels: 128 } };
const context = contextFrames(stackReach(rvcLayers(tiny)));

export const rvc: ModelManifest<RvcHyper> = {
  family: 'rvc',
  summary: 'RVC v2 synthesizer (40 kHz): content features + F0 + speaker + noise → converted voice',
  mirrors: 'RVC-Project/Retrieval-based-Voice-Conversion-WebUI infer/modules/onnx/export.py (SynthesizerTrnMsNSFsidM)',
  inputs: [
    {
      name: 'phone',
      dtype: 'float32',
      shape: [1, 'T', 'D'],
      doc: 'content features, 50 frames/s repeated ×2 to 100 frames/s; D = 768 (v2) or 256 (v1), as the content encoder gives',
    },
    { name: 'phone_lengths', dtype: 'int64', shape: [1], doc: 'T' },
    { name: 'pitch', dtype: 'int64', shape: [1, 'T'], doc: 'coarse F0 bin 1..255 (0 unvoiced)' },
    { name: 'pitchf', dtype: 'float32', shape: [1, 'T'], doc: 'F0 in Hz, 0 = unvoiced' },
    { name: 'ds', dtype: 'int64', shape: [1], doc: 'speaker id' },
    { name: 'rnd', dtype: 'float32', shape: [1, 192, 'T'], doc: 'N(0,1) noise × 0.66666' },
  ],
  outputs: [{ name: 'audio', dtype: 'float32', shape: [1, 1, 'T_audio'], doc: 'T_audio = 400·T at 40 kHz' }],
  sampleRate: 40000,
  hop: 400,
  framesPerSecond: 100,
  receptiveField: {
    ...context,
    unit: 'frames (100/s)',
    exact: true,
    doc: 'reference: 2 encoder convs k3, flow conv k5, NSF-HiFiGAN decoder. The real enc_p attends over the whole segment and its sine source integrates phase, so a real export needs ≥ 1 s padding (x_pad) and cuts at silences',
  },
  granularity: { value: 1, unit: 'frame', doc: 'one 10 ms frame = 400 output samples (32k: 320, 48k: 480)' },
  scales: { tiny, medium },
  referenceNotes: 'convolutional enc_p instead of attention; harmonic phase restarts each frame; one flow step',
};
