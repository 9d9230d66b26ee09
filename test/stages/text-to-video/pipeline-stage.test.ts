/**
 * text-encoder → dit → vae chained by the real runtime on pipelines/text-to-video.yaml (17 frames
 * of 256×160) over the tiny reference models. Few denoising steps keep it fast.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTextToVideo, type TextToVideoRun } from './pipeline-run.ts';

const FEW_STEPS = ['stages.denoiser.options.steps=3'];
const PROMPT = 'A red fox runs through fresh snow at dawn.';

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

describe('text-to-video pipeline (text-encoder → dit → vae)', () => {
  let cacheDir: string;
  const previous = process.env.REEL_CACHE_DIR;
  let first: TextToVideoRun;
  beforeAll(async () => {
    cacheDir = await mkdtemp(join(tmpdir(), 'reel-t2v-cache-'));
    process.env.REEL_CACHE_DIR = cacheDir;
    first = await runTextToVideo(PROMPT, { set: FEW_STEPS });
  });
  afterAll(async () => {
    if (previous === undefined) delete process.env.REEL_CACHE_DIR;
    else process.env.REEL_CACHE_DIR = previous;
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('makes 17 RGB frames of 256×160, streamed one VAE run per chunk on the 8 fps clock', () => {
    expect(first.frames.length).toBe(17 * 160 * 256 * 3);
    const { packets } = first;
    expect(packets.map((p) => p.index)).toEqual(packets.map((_, i) => i));
    expect(packets.length).toBeGreaterThan(1);
    expect(packets.map((p) => p.last)).toEqual(packets.map((_, i) => i === packets.length - 1));
    expect(packets.reduce((n, p) => n + p.frameCount, 0)).toBe(17);
    for (const [i, p] of packets.entries()) {
      expect([p.width, p.height, p.fps]).toEqual([256, 160, 8]);
      expect(p.startFrame).toBe(i === 0 ? 0 : packets[i - 1].startFrame + packets[i - 1].frameCount);
      expect(p.start).toBeCloseTo(p.startFrame / 8, 12);
      expect(p.end).toBeCloseTo((p.startFrame + p.frameCount) / 8, 12);
    }
    // Not a flat picture: the decoder's output varies over pixels and over time.
    const frameBytes = 160 * 256 * 3;
    expect(new Set(first.frames.subarray(0, frameBytes)).size).toBeGreaterThan(16);
    expect(meanAbsDiff(first.frames.subarray(0, frameBytes), first.frames.subarray(16 * frameBytes))).toBeGreaterThan(
      0,
    );
  });

  it('says which provider each stage took, once per stage', () => {
    for (const stage of ['encoder', 'denoiser', 'decoder']) {
      const lines = first.logs.filter((l) => l.stage === stage && /provider cpu/.test(l.line));
      expect(lines, stage).toHaveLength(1);
    }
  });

  it('encodes the prompt once: a second run (stages in workers) takes its embeddings from the cache, same frames', async () => {
    expect(first.logs.some((l) => /from cache/.test(l.line))).toBe(false);
    const entries = await readdir(cacheDir, { recursive: true });
    expect(entries.filter((e) => e.endsWith('.f32'))).toHaveLength(2); // [negative, prompt] rows
    const again = await runTextToVideo(PROMPT, { set: FEW_STEPS }, { workers: true });
    expect(again.logs.filter((l) => l.stage === 'encoder' && /prompt embeddings from cache/.test(l.line))).toHaveLength(
      1,
    );
    expect(Buffer.compare(again.frames, first.frames)).toBe(0);
  });

  it('changes with the seed and the prompt', async () => {
    const seed = await runTextToVideo(PROMPT, { set: [...FEW_STEPS, 'stages.denoiser.options.seed=7'] });
    expect(meanAbsDiff(seed.frames, first.frames)).toBeGreaterThan(1);
    // The tiny reference DiT's text path is weak (one layer, width 32): a new prompt moves the
    // frames by about a level in a few pixels only — but it must move them.
    const prompt = await runTextToVideo('A blue whale sings under the ice.', { set: FEW_STEPS });
    expect(Buffer.compare(prompt.frames, first.frames)).not.toBe(0);
  });

  it('the "fast" profile (24 steps, guidance 3) reaches the DiT and changes the video from the reference sampling', async () => {
    const fast = await runTextToVideo(PROMPT, { profile: 'fast' });
    const byHand = await runTextToVideo(PROMPT, {
      set: ['stages.denoiser.options.steps=24', 'stages.denoiser.options.guidance=3'],
    });
    const quality = await runTextToVideo(PROMPT, { profile: 'quality' });
    expect(Buffer.compare(fast.frames, byHand.frames)).toBe(0);
    expect(meanAbsDiff(fast.frames, quality.frames)).toBeGreaterThan(1);
  });
});
