import type { ModelManifest } from '../manifest.ts';
import type { FastpitchHyper } from '../families/fastpitch.ts';

const base = { symbols: 148, melBands: 80, meanDuration: 4, maxDuration: 20 };

export const fastpitch: ModelManifest<FastpitchHyper> = {
  family: 'fastpitch',
  summary: 'FastPitch: symbol ids → log-mel (22.05 kHz, hop 256) with predicted durations and pitch',
  mirrors:
    'NVIDIA/NeMo FastPitchModel export (text, pitch, pace → spect, num_frames, durs_predicted, log_durs_predicted, pitch_predicted)',
  inputs: [
    { name: 'text', dtype: 'int64', shape: ['B', 'T_text'], doc: 'english_basic symbol ids, pad 0' },
    {
      name: 'pitch',
      dtype: 'float32',
      shape: ['B', 'T_text'],
      doc: 'additive pitch shift (normalised units); zeros = none',
    },
    { name: 'pace', dtype: 'float32', shape: ['B', 'T_text'], doc: 'duration divisor; ones = normal speed' },
  ],
  outputs: [
    { name: 'spect', dtype: 'float32', shape: ['B', 80, 'T_spec'], doc: 'log-mel; T_spec = max num_frames' },
    { name: 'num_frames', dtype: 'int64', shape: ['B'], doc: 'Σ ⌊dur/pace + 0.5⌋' },
    { name: 'durs_predicted', dtype: 'float32', shape: ['B', 'T_text'], doc: 'frames per token' },
    { name: 'log_durs_predicted', dtype: 'float32', shape: ['B', 'T_text'], doc: 'log(1 + dur)' },
    { name: 'pitch_predicted', dtype: 'float32', shape: ['B', 'T_text'], doc: 'per token' },
  ],
  sampleRate: 22050,
  hop: 256,
  framesPerSecond: 22050 / 256,
  receptiveField: {
    before: 0,
    after: 0,
    unit: 'symbols',
    exact: false,
    doc: 'self-attention over the whole sentence; split long text on sentences',
  },
  granularity: { value: 1, unit: 'sentence', doc: 'one run per sentence (or batch of sentences)' },
  scales: {
    tiny: { ...base, dim: 32, heads: 2, ffn: 64, encoderLayers: 1, decoderLayers: 1, predictorChannels: 32 },
    medium: { ...base, dim: 256, heads: 4, ffn: 1024, encoderLayers: 3, decoderLayers: 3, predictorChannels: 256 },
  },
  referenceNotes: 'duration predictor biased to ≈ 4 frames per symbol so random weights give speech-like lengths',
};
