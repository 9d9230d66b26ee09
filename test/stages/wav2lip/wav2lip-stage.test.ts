/**
 * wav2lip stage, driven directly with items as the runtime builds them (its declared neighbours,
 * the face loop whole): frames per chunk by time, no drift, pixels outside the box untouched,
 * chunked == whole. The runtime path is covered end to end by talking-head/pipeline-stages.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { ChunkPackets } from '../../../src/core/item.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { itemSpecOf } from '../../../src/core/stage.ts';
import type { ChunkInfo, TensorPacket, VideoPacket } from '../../../src/core/types.ts';
import { resample, wav2lipMel } from '../../../src/dsp/index.ts';
import { openModel } from '../../../src/inference/model.ts';
import type { Box } from '../../../stages/shared/face-boxes.ts';
import { lipSync } from '../../../stages/wav2lip/runner.ts';
import { wav2lip } from '../../../stages/wav2lip/index.ts';
import { clipItems, createTransform, processAll } from '../../helpers/stage-harness.ts';
import { drawFace } from '../talking-head/synthetic-face.ts';

const W = 128,
  H = 128,
  RATE = 22050,
  SECONDS = 1.32;
const BOXES = [
  [34, 30, 94, 110],
  [38, 30, 98, 110],
];
const speech = Float32Array.from({ length: SECONDS * RATE }, (_, i) => 0.3 * Math.sin(i * 0.07) * Math.sin(i / 2000));
const WHOLE_CHUNK: ChunkInfo = { clipId: 'clip', index: 0, start: 0, end: SECONDS, last: true };

/** The speech cut as a source cuts it: chunk k = [k·S, min((k+1)·S, total)) s, exact owned samples. */
function speechChunks(seconds: number): ChunkPackets[] {
  const total = speech.length / RATE;
  const count = Math.max(1, Math.ceil(total / seconds - 1e-9));
  return Array.from({ length: count }, (_, k) => {
    const chunk: ChunkInfo = {
      clipId: 'clip',
      index: k,
      start: k * seconds,
      end: k === count - 1 ? total : (k + 1) * seconds,
      last: k === count - 1,
    };
    const a = Math.round(chunk.start * RATE),
      b = Math.min(speech.length, Math.round(chunk.end * RATE));
    return {
      chunk,
      ports: {
        audio: { kind: 'audio', chunk, sampleRate: RATE, channels: 1, startSample: a, data: speech.slice(a, b) },
      },
    };
  });
}

describe('wav2lip stage', () => {
  const faces = [drawFace(W, H, 62, 62, 26, 34), drawFace(W, H, 66, 62, 26, 34)];
  let whole: { frames: VideoPacket; boxes: TensorPacket };
  beforeAll(() => {
    // The face loop in a shared buffer, as the runtime hands whole inputs to workers.
    const data = new Uint8Array(new SharedArrayBuffer(2 * W * H * 3));
    faces.forEach((f, i) => data.set(f.data, i * W * H * 3));
    whole = {
      frames: { kind: 'video', chunk: WHOLE_CHUNK, width: W, height: H, fps: 25, startFrame: 0, frameCount: 2, data },
      boxes: {
        kind: 'tensor',
        chunk: WHOLE_CHUNK,
        name: 'face-boxes',
        tensor: { dtype: 'int32', dims: [2, 4], data: Int32Array.from(BOXES.flat()) },
      },
    };
  });

  async function lipsync(chunkSeconds: number, options: Record<string, unknown> = {}) {
    const logs: string[] = [];
    const generator = await ensureReferenceModel('wav2lip');
    const stage = await createTransform(
      wav2lip,
      { batchSize: 8, ...options },
      { id: 'lips', models: { generator }, settings: { warmup: 1 }, log: (l) => logs.push(l) },
    );
    try {
      const items = clipItems(speechChunks(chunkSeconds), itemSpecOf(wav2lip).neighbours, whole);
      const out = await processAll(stage, items);
      expect(out.every((p) => p.port === 'frames')).toBe(true);
      return { logs, packets: out.map((p) => p.packet as VideoPacket) };
    } finally {
      await stage.dispose();
    }
  }

  /** Frames whose centre time (i + 0.5)/fps lies in [start, end). */
  function framesIn(start: number, end: number, fps: number): number {
    let n = 0;
    for (let i = 0; i < 1000; i++) if ((i + 0.5) / fps >= start - 1e-9 && (i + 0.5) / fps < end - 1e-9) n++;
    return n;
  }

  it('renders the frames whose times fall in each chunk, looping the face, touching only the box', async () => {
    const before = Buffer.from(whole.frames.data);
    const { logs, packets } = await lipsync(0.5);
    expect(logs.filter((l) => l.includes('provider'))).toHaveLength(1);
    let next = 0;
    for (const p of packets) {
      expect(p.fps).toBe(25);
      expect(p.startFrame).toBe(next);
      expect(p.frameCount).toBe(framesIn(p.chunk.start, p.chunk.end, 25));
      next += p.frameCount;
    }
    expect(next).toBe(Math.round(SECONDS * 25));
    const size = W * H * 3;
    let changedInside = 0;
    for (const p of packets) {
      for (let k = 0; k < p.frameCount; k++) {
        const i = p.startFrame + k;
        const out = p.data.subarray(k * size, (k + 1) * size);
        const src = faces[i % 2].data;
        const [x1, y1, x2, y2] = BOXES[i % 2];
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            const inside = x >= x1 && x < x2 && y >= y1 && y < y2;
            for (let c = 0; c < 3; c++) {
              const at = (y * W + x) * 3 + c;
              if (!inside && out[at] !== src[at])
                throw new Error(`frame ${i} pixel (${x}, ${y}) outside the box changed`);
              if (inside && out[at] !== src[at]) changedInside++;
            }
          }
        }
      }
    }
    expect(changedInside).toBeGreaterThan(1000);
    expect(Buffer.compare(Buffer.from(whole.frames.data), before)).toBe(0); // the shared face loop is read, not written
  });

  it('gives the same frames chunked as whole, and follows the fps option with no drift', async () => {
    const chunked = (await lipsync(0.4)).packets;
    const oneChunk = (await lipsync(10)).packets;
    expect(oneChunk).toHaveLength(1);
    const joined = new Uint8Array(oneChunk[0].data.length);
    let at = 0;
    for (const p of chunked) {
      joined.set(p.data, at);
      at += p.data.length;
    }
    expect(at).toBe(oneChunk[0].data.length);
    let maxDiff = 0;
    for (let i = 0; i < joined.length; i++) maxDiff = Math.max(maxDiff, Math.abs(joined[i] - oneChunk[0].data[i]));
    expect(maxDiff).toBeLessThanOrEqual(1); // measured 0
    // And the whole-clip frames are Wav2Lip's own: the one-shot runner over the clip's mel agrees.
    const path = await ensureReferenceModel('wav2lip');
    const model = await openModel({
      stage: 'test',
      path,
      contract: MANIFESTS.wav2lip,
      settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0 },
      log: () => {},
    });
    const mel = wav2lipMel(resample(speech, { inputRate: RATE, outputRate: 16000 }));
    const reference = await lipSync(model, { frames: faces, boxes: BOXES as Box[], mel, fps: 25, batchSize: 8 });
    await model.release();
    const size = W * H * 3;
    const frames = Math.min(reference.length, oneChunk[0].frameCount);
    expect(frames).toBe(30); // the runner stops where the audio runs out: round(1.32·25) = 33 vs 30 windows
    const differing = reference
      .slice(0, frames)
      .filter(
        (f, i) =>
          Buffer.compare(Buffer.from(f), Buffer.from(oneChunk[0].data.subarray(i * size, (i + 1) * size))) !== 0,
      );
    expect(differing).toHaveLength(0);
    const at30 = (await lipsync(0.4, { fps: 30 })).packets;
    expect(at30.every((p) => p.fps === 30)).toBe(true);
    expect(at30.reduce((n, p) => n + p.frameCount, 0)).toBe(Math.round(SECONDS * 30));
  });
});
