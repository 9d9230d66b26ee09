/** Chunked HiFi-GAN: fixed-shape runs whose joined output equals the whole-clip run. */
import type * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { vocodeChunked, vocoderWindows } from './hifigan-chunks.ts';
import { f32, openSession } from '../../../stages/shared/session.ts';

const melOf = (frames: number) => ({
  frames,
  data: Float32Array.from({ length: 80 * frames }, (_, i) => -6 + 3 * Math.sin(i * 0.37) + Math.cos((i % frames) * 0.11)),
});

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('HiFi-GAN chunk runner', () => {
  let session: ort.InferenceSession;
  const shapes: number[][] = [];
  beforeAll(async () => {
    session = await openSession(await ensureReferenceModel('hifigan'));
    const run = session.run.bind(session);
    session.run = ((feeds: Record<string, ort.Tensor>, ...rest: never[]) => {
      shapes.push([...feeds.spec.dims]);
      return run(feeds, ...rest);
    }) as typeof session.run;
  });
  afterAll(async () => session?.release());

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
    const whole = (await session.run({ spec: f32(mel.data, [1, 80, 101]) })).audio.data as Float32Array;
    shapes.length = 0;
    const chunked = await vocodeChunked(session, mel, { chunkFrames: 24, contextFrames: ctx });
    expect(chunked).toHaveLength(256 * 101);
    expect(new Set(shapes.map((s) => s.join(','))).size).toBe(1);
    expect(shapes[0]).toEqual([1, 80, 24 + 2 * ctx]);
    expect(maxDiff(chunked, whole)).toBeLessThan(1e-5);
    // With too little context the seams show: the test can fail.
    const starved = await vocodeChunked(session, mel, { chunkFrames: 24, contextFrames: 1 });
    expect(maxDiff(starved, whole)).toBeGreaterThan(1e-4);
  });

  it('pads a clip shorter than one window and still returns exactly 256·T samples', async () => {
    const mel = melOf(10);
    const out = await vocodeChunked(session, mel, { chunkFrames: 16, contextFrames: 8 });
    expect(out).toHaveLength(2560);
    const whole = (await session.run({ spec: f32(mel.data, [1, 80, 10]) })).audio.data as Float32Array;
    // Away from the padded end (receptive field), the samples agree.
    expect(maxDiff(out.subarray(0, 256 * 2), whole.subarray(0, 256 * 2))).toBeLessThan(1e-5);
  });
});
