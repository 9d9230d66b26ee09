/**
 * Silero VAD v5 over a 16 kHz signal: speech probability per 512-sample frame (after 64 samples of
 * context, as silero-vad's OnnxWrapper feeds it). Used by the vad stage and by the chunker's pause
 * rule (chunking.splitAt: vad).
 */
import type { Model } from '../shared/open-model.ts';
import { f32, i64 } from '../shared/tensors.ts';
import type { ReusedFloat32 } from './reused-buffer.ts';
import { SEQUENCE_CONTRACT, sequenceFormOf } from './sequence-model.ts';

export const RATE = 16000;
export const FRAME = 512;
export const CONTEXT = 64;
/** The `sr` feed, the same for every frame. */
export const SR = i64([RATE], []);

/** Frames per call of the sequence form: its inputs stay a few MB however long the signal. */
const SEQUENCE_BLOCK = 1024;

/** How a vad opens its model: the sequence form when the model has one (sequence-model.ts). */
export const SEQUENCE_FORM = {
  path: (file: string, warn?: (line: string) => void) => sequenceFormOf(file, warn),
  contract: SEQUENCE_CONTRACT,
  warmup: { dims: { S: 1, T: 64 } },
};

/** Sub-streams at most, and the fewest frames each owns, in warm-ups: shorter ones cost more warm-up than they save. */
const MAX_STREAMS = 8;
const MIN_OWNED_WARMUPS = 2;

/**
 * Speech probability of each of `frames` frames of `signal` (frame k = samples [512k, 512k + 512),
 * zero-padded past the end), from a zero state at its start.
 *
 * With the model's sequence form, that is exactly what a detector fed frame after frame computes,
 * in a call per 1024 frames. Otherwise (a model in the contract's one-frame form) the frames are cut into up to 8 sub-streams run side by side as one
 * batch, each from a zero state `warmupFrames` before the frames it owns (the first owns the start
 * of the signal, already a warm-up), so one ONNX call does the work of several and the per-call
 * overhead is paid once. Each sub-stream is what a detector started there would compute.
 * `scratch`: where the sequence form's input is built (a caller that runs item after item).
 */
export async function speechProbabilities(
  model: Model,
  signal: Float32Array,
  frames: number,
  warmupFrames: number,
  scratch?: ReusedFloat32,
): Promise<Float32Array> {
  if (model.contract === SEQUENCE_CONTRACT) return sequenceProbabilities(model, signal, frames, scratch);
  const streams = Math.max(1, Math.min(MAX_STREAMS, Math.floor(frames / (MIN_OWNED_WARMUPS * warmupFrames))));
  const owned = Math.ceil(frames / streams);
  const plans = Array.from({ length: streams }, (_, j) => {
    const from = j * owned;
    return { from, first: j === 0 ? 0 : Math.max(0, from - warmupFrames), to: Math.min(frames, from + owned) };
  });
  const steps = Math.max(...plans.map((p) => p.to - p.first));
  const probabilities = new Float32Array(frames);
  let state: Float32Array = new Float32Array(2 * streams * 128);
  const input = new Float32Array(streams * (CONTEXT + FRAME));
  for (let step = 0; step < steps; step++) {
    for (const [j, plan] of plans.entries()) {
      const row = input.subarray(j * (CONTEXT + FRAME), (j + 1) * (CONTEXT + FRAME));
      // The context is the row's own last 64 samples (zeros at its start: `input` starts zeroed);
      // past its end the row idles on zeros, and a frame past the signal's end is zero-padded.
      row.copyWithin(0, FRAME);
      row.fill(0, CONTEXT);
      const k = plan.first + step;
      if (k < plan.to) row.set(signal.subarray(k * FRAME, (k + 1) * FRAME), CONTEXT);
    }
    const out = await model.run({
      input: f32(input, [streams, CONTEXT + FRAME]),
      state: f32(state, [2, streams, 128]),
      sr: SR,
    });
    state = out.stateN.data as Float32Array;
    const p = out.output.data as Float32Array;
    for (const [j, plan] of plans.entries()) {
      const k = plan.first + step;
      if (k >= plan.from && k < plan.to) probabilities[k] = p[j];
    }
  }
  return probabilities;
}

/** The sequence form over the frames in order, the state carried from block to block. */
async function sequenceProbabilities(
  model: Model,
  signal: Float32Array,
  frames: number,
  scratch?: ReusedFloat32,
): Promise<Float32Array> {
  const probabilities = new Float32Array(frames);
  let state: Float32Array = new Float32Array(2 * 128);
  const row = CONTEXT + FRAME;
  const block = async (first: number, count: number, input: Float32Array) => {
    // Row k: the 64 samples before frame k (zeros before the signal's start), then its 512.
    for (let j = 0; j < count; j++) {
      const k = first + j;
      const from = Math.max(0, k * FRAME - CONTEXT);
      const part = signal.subarray(from, Math.min(signal.length, (k + 1) * FRAME));
      input.set(part, j * row + row - (k + 1) * FRAME + from);
    }
    const out = await model.run({ frames: f32(input, [1, count, row]), state: f32(state, [2, 1, 128]) });
    state = out.stateN.data as Float32Array;
    probabilities.set(out.probs.data as Float32Array, first);
  };
  for (let first = 0; first < frames; first += SEQUENCE_BLOCK) {
    const count = Math.min(SEQUENCE_BLOCK, frames - first);
    if (scratch) await scratch.with(count * row, (input) => block(first, count, input));
    else await block(first, count, new Float32Array(count * row));
  }
  return probabilities;
}
