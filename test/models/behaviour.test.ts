/** Family behaviour beyond shapes: FastPitch's length regulation, the AR KV cache, determinism, ensure. */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildReferenceModel, buildReferenceModels } from '../../models/generate.ts';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { ensureReferenceModel, referenceModelPath } from '../../models/reference.ts';
import { feedsFor, f32, i64, sessionOptions } from './feeds.ts';

describe('reference model behaviour', () => {
  it('fastpitch: num_frames = Σ ⌊dur/pace + 0.5⌋ and pace 0.5 doubles the length', async () => {
    const s = await ort.InferenceSession.create(buildReferenceModel('fastpitch'), sessionOptions());
    const { feeds } = feedsFor('fastpitch', 12);
    const run = async (pace: number) => {
      const out = await s.run({ ...feeds, pace: f32(new Float32Array(24).fill(pace), [2, 12]) });
      const durs = out.durs_predicted.data as Float32Array;
      const frames = Array.from(out.num_frames.data as BigInt64Array, Number);
      for (let b = 0; b < 2; b++) {
        let sum = 0;
        for (let t = 0; t < 12; t++) sum += Math.floor(Math.fround(durs[b * 12 + t] / pace) + 0.5);
        expect(frames[b]).toBe(sum);
      }
      expect(out.spect.dims).toEqual([2, 80, Math.max(...frames)]);
      // Padded tokens (the second item ends in two pads) get no frames.
      expect(durs[22]).toBe(0);
      return frames;
    };
    const normal = await run(1);
    const slow = await run(0.5);
    for (let b = 0; b < 2; b++) expect(Math.abs(slow[b] - 2 * normal[b])).toBeLessThanOrEqual(12);
    expect(normal[0]).toBeGreaterThan(12);
  });

  it('vallex-ar: stepping with kv_cache gives the same logits as one pass over the sequence', async () => {
    const h = MANIFESTS['vallex-ar'].scales.tiny as { layers: number; heads: number; dim: number };
    const s = await ort.InferenceSession.create(buildReferenceModel('vallex-ar'), sessionOptions());
    const n = 6;
    const { feeds } = feedsFor('vallex-ar', n, h);
    const whole = await s.run(feeds);
    const xy = feeds.xy_pos.data as Float32Array;
    let past = feeds.past_kv;
    let logits: Float32Array | undefined;
    for (const [a, b] of [
      [0, 4],
      [4, 5],
      [5, 6],
    ]) {
      const out = await s.run({
        xy_pos: f32(xy.slice(a * h.dim, b * h.dim), [1, b - a, h.dim]),
        mask: feeds.mask,
        past_kv: past,
        offset: i64([a], []),
      });
      past = out.kv_cache;
      logits = out.logits.data as Float32Array;
    }
    expect(past.dims).toEqual(whole.kv_cache.dims);
    const w = whole.logits.data as Float32Array;
    for (let i = 0; i < 1025; i++) expect(logits![i]).toBeCloseTo(w[i], 4);
  });

  it('vallex-ar: greedy decoding reaches EOS (1024) once past eosAfter', async () => {
    const h = MANIFESTS['vallex-ar'].scales.tiny as { dim: number; eosAfter: number };
    const s = await ort.InferenceSession.create(buildReferenceModel('vallex-ar'), sessionOptions());
    const n = h.eosAfter + 40;
    const { feeds } = feedsFor('vallex-ar', n, MANIFESTS['vallex-ar'].scales.tiny as never);
    const last = (await s.run(feeds)).logits.data as Float32Array;
    expect(last.indexOf(Math.max(...last))).toBe(1024);
  });

  it('builds are deterministic and concurrent writers leave valid files', async () => {
    expect(Buffer.compare(buildReferenceModel('rvc'), buildReferenceModel('rvc'))).toBe(0);
    const outDir = await mkdtemp(join(tmpdir(), 'reel-models-'));
    const families = ['hifigan', 'vae'] as const;
    const [a] = await Promise.all([
      buildReferenceModels({ outDir, families }),
      buildReferenceModels({ outDir, families }),
    ]);
    for (const [i, path] of a.entries())
      expect(Buffer.compare(await readFile(path), buildReferenceModel(families[i]))).toBe(0);
  });

  it('ensureReferenceModel writes models/build/<scale>/<family>.onnx with the generator bytes', async () => {
    const path = await ensureReferenceModel('text-encoder', 'tiny');
    expect(path).toBe(referenceModelPath('text-encoder', 'tiny'));
    expect(path).toMatch(/models[\\/]build[\\/]tiny[\\/]text-encoder\.onnx$/);
    expect(Buffer.compare(await readFile(path), buildReferenceModel('text-encoder', 'tiny'))).toBe(0);
  });
});
