/**
 * Silero VAD v5 contract: `input` [B, N] 16 kHz, `state` [2, B, 128], `sr` int64 scalar →
 * `output` [B, 1] speech probability, `stateN` [2, B, 128]. The reference graph scores a frame by
 * its mean absolute amplitude through a seeded linear map and a sigmoid, and mixes that into the
 * state with tanh — a recurrent model of the same shape, not a detector.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';

export interface SileroVadHyper {
  /** Width of the hidden projection of the frame feature. */
  hidden: number;
}

export function buildSileroVad(h: SileroVadHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('silero-vad', seed);
  const input = b.input('input', 'float32', ['B', 'N'], '16 kHz mono: 64 context + 512 new samples');
  const state = b.input('state', 'float32', [2, 'B', 128], 'LSTM state');
  const sr = b.input('sr', 'int64', [], 'sample rate, 16000');
  // [B, 1]: the frame's mean absolute amplitude.
  const energy = b.op('ReduceMean', [b.op('Abs', [input])], { axes: [1], keepdims: 1 });
  // The rate only scales a zero: the graph consumes it as the real one does.
  const rate = b.mul(b.cast(sr, 'float32'), b.constFloat([0], []));
  const w1 = b.param('w1', [1, h.hidden], { std: 4 });
  const w2 = b.param('w2', [h.hidden, 1], { std: 1 / Math.sqrt(h.hidden) });
  const hidden = b.tanh(b.matmul(b.add(energy, rate), w1));
  const logit = b.matmul(hidden, w2);
  b.output(b.sigmoid(logit), 'output', 'float32', ['B', 1], 'speech probability');
  // stateN = tanh(state + mean energy): same shape, carried from frame to frame.
  const stateN = b.tanh(b.add(state, b.op('ReduceMean', [energy], { axes: [0, 1], keepdims: 0 })));
  b.output(stateN, 'stateN', 'float32', [2, 'B', 128], 'next state');
  return b.model({ doc: 'reel reference Silero VAD v5 contract (seeded random weights)' });
}
