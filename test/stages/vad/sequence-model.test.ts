/**
 * Silero VAD's sequence form (stages/vad/sequence-model.ts) against the model itself: on espeak-ng
 * speech with pauses, longer than one block of the form (so the state crosses calls), every frame's
 * probability is what the exported model gives frame after frame with the state carried. A model not
 * shaped like v5 (the reference model of the family) has no sequence form.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { pretrainedModelPath } from '../../../models/pretrained.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { openModel, type Model } from '../../../src/inference/model.ts';
import { CONTEXT, FRAME, SEQUENCE_FORM, SR, speechProbabilities } from '../../../stages/vad/probabilities.ts';
import { sequenceFormOf } from '../../../stages/vad/sequence-model.ts';
import { f32 } from '../../../stages/shared/tensors.ts';
import { speak } from '../../helpers/espeak.ts';

const RATE = 16000;
let dir: string;
let signal: Float32Array;
const opened: Model[] = [];

async function open(path: string, sequence: boolean): Promise<Model> {
  const model = await openModel({
    stage: 'vad',
    path,
    contract: sequence ? SEQUENCE_FORM.contract : MANIFESTS['silero-vad'],
    settings: { ...DEFAULT_NODE_SETTINGS, provider: ['cpu'] },
    log: () => undefined,
  });
  opened.push(model);
  return model;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reel-vad-seq-'));
  const said = speak(
    'A recording longer than one block of the sequence form: about forty seconds of speech and pauses, ' +
      'so that the state is carried from one call to the next.',
    { dir, rate: RATE },
  );
  // Speech, a second of silence, speech again, … until 1100 frames (over the 1024 of a block).
  const frames = 1100;
  signal = new Float32Array(frames * FRAME - 200); // the last frame partial: zero-padded
  for (let at = 0; at < signal.length; at += said.length + RATE) signal.set(said.subarray(0, signal.length - at), at);
});

afterAll(async () => {
  await Promise.all(opened.map((m) => m.release()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the sequence form of Silero VAD v5', () => {
  it('gives what the model gives frame after frame, state carried, over more than one block', async () => {
    const file = pretrainedModelPath('silero-vad')!;
    const path = await SEQUENCE_FORM.path(file);
    expect(path).toMatch(/\.sequence\.[0-9a-f]{24}\.onnx$/);
    const frames = Math.ceil(signal.length / FRAME);
    const fast = await speechProbabilities(await open(path!, true), signal, frames, 0);

    // The exported model, one frame per call: 64 samples of context, then the frame's 512.
    const model = await open(file, false);
    const slow = new Float32Array(frames);
    let state: Float32Array = new Float32Array(2 * 128);
    const row = new Float32Array(CONTEXT + FRAME);
    for (let k = 0; k < frames; k++) {
      row.copyWithin(0, FRAME);
      row.fill(0, CONTEXT);
      row.set(signal.subarray(k * FRAME, (k + 1) * FRAME), CONTEXT);
      const out = await model.run({ input: f32(row, [1, CONTEXT + FRAME]), state: f32(state, [2, 1, 128]), sr: SR });
      state = out.stateN.data as Float32Array;
      slow[k] = (out.output.data as Float32Array)[0];
    }
    let worst = 0;
    for (let k = 0; k < frames; k++) worst = Math.max(worst, Math.abs(fast[k] - slow[k]));
    expect(worst).toBeLessThan(1e-5);
    // Speech and pauses both there: the comparison covers both ends of the scale.
    expect(slow.some((p) => p > 0.9)).toBe(true);
    expect(slow.some((p) => p < 0.1)).toBe(true);
  });

  it('is not found in a model of another shape, which then runs frame by frame', async () => {
    expect(await SEQUENCE_FORM.path(await ensureReferenceModel('silero-vad', 'tiny'))).toBeUndefined();
  });

  // Last: a failure is remembered for the model in this thread.
  it('is given up with a warning, not a failure, where it cannot be kept', async () => {
    const warnings: string[] = [];
    const file = pretrainedModelPath('silero-vad')!;
    const unwritable = { ...process.env, REEL_VARIANT_DIR: join(file, 'not-a-folder') };
    expect(await sequenceFormOf(file, (line) => warnings.push(line), unwritable)).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^silero_vad_v5\.onnx: no sequence form \(.*\); the VAD runs frame by frame, several times slower$/,
    );
  });
});
