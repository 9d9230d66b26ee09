/** Chunked HiFi-GAN: fixed-shape runs whose joined output equals the whole-clip run. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import type { TensorData } from '../../../src/core/types.ts';
import { hifigan } from '../../../stages/hifigan/index.ts';
import { openStageModel, type Model } from '../../../stages/shared/open-model.ts';
import { f32 } from '../../../stages/shared/tensors.ts';
import { testContext } from '../../helpers/stage-harness.ts';
import { vocodeChunked, vocoderWindows } from './hifigan-chunks.ts';

const melOf = (frames: number) => ({
  frames,
  data: Float32Array.from(
    { length: 80 * frames },
    (_, i) => -6 + 3 * Math.sin(i * 0.37) + Math.cos((i % frames) * 0.11),
  ),
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('HiFi-GAN chunk runner', () => {
  let model: Model;
  /** The model, recording the shape of every `spec` it is fed. */
  let recorded: Pick<Model, 'run' | 'path'>;
  const shapes: number[][] = [];
  beforeAll(async () => {
    model = await openStageModel(testContext(hifigan), 'vocoder', 'hifigan');
    recorded = {
      path: model.path,
      run: (feeds) => {
        shapes.push([...feeds.spec.dims]);
        return model.run(feeds);
      },
    };
  });
  afterAll(async () => model?.release());
  const whole = async (data: Float32Array, frames: number) =>
    ((await model.run({ spec: f32(data, [1, 80, frames]) })).audio as TensorData).data as Float32Array;

  it('plans windows that keep contextFrames on both sides or reach the clip edge', () => {
    const runs = vocoderWindows(100, 16, 8);
    expect(runs).toHaveLength(7);
    for (const r of runs) {
      expect(r.ownStart - r.windowStart >= 8 || r.windowStart === 0).toBe(true);
      expect(r.windowStart + 32 - r.ownEnd >= 8 || r.windowStart + 32 === 100).toBe(true);
    }
    expect(runs.at(-1)).toEqual({ windowStart: 68, ownStart: 96, ownEnd: 100 });
  });

  it('chunked audio == whole-clip audio (1e-5) with context ≥ the receptive field, 256·T samples, fixed shapes', async () => {
    const rf = MANIFESTS.hifigan.receptiveField;
    const ctx = Math.max(rf.before, rf.after) + 1;
    const mel = melOf(101);
    const reference = await whole(mel.data, 101);
    shapes.length = 0;
    const chunked = await vocodeChunked(recorded, mel, { chunkFrames: 24, contextFrames: ctx });
    expect(chunked).toHaveLength(256 * 101);
    expect(new Set(shapes.map((s) => s.join(','))).size).toBe(1);
    expect(shapes[0]).toEqual([1, 80, 24 + 2 * ctx]);
    expect(maxDiff(chunked, reference)).toBeLessThan(1e-5);
    // With too little context the seams show: the test can fail.
    const starved = await vocodeChunked(recorded, mel, { chunkFrames: 24, contextFrames: 1 });
    expect(maxDiff(starved, reference)).toBeGreaterThan(1e-4);
  });

  it('pads a clip shorter than one window and still returns exactly 256·T samples', async () => {
    const mel = melOf(10);
    const out = await vocodeChunked(recorded, mel, { chunkFrames: 16, contextFrames: 8 });
    expect(out).toHaveLength(2560);
    const reference = await whole(mel.data, 10);
    // Away from the padded end (receptive field), the samples agree.
    expect(maxDiff(out.subarray(0, 256 * 2), reference.subarray(0, 256 * 2))).toBeLessThan(1e-5);
  });
});
