/** wav2lip stage on the stream: frames per chunk by time, no drift, pixels outside the box untouched, chunked == whole. */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { VideoPacket } from '../../../src/core/types.ts';
import { resample, wav2lipMel } from '../../../src/dsp/index.ts';
import type { Box } from '../../../stages/shared/face-boxes.ts';
import { openSession } from '../../../stages/shared/session.ts';
import { lipSync } from '../../../stages/wav2lip/runner.ts';
import { wav2lip } from '../../../stages/wav2lip/index.ts';
import { memoryAudioSource, memoryBoxesSource, memoryVideoSink, memoryVideoSource, receivedPackets, registerClip } from '../../fixtures/stages/memory-clips.ts';
import { runStages } from '../talking-head/stage-harness.ts';
import { drawFace } from '../talking-head/synthetic-face.ts';

const W = 128, H = 128, RATE = 22050, SECONDS = 1.32;
const BOXES = [[34, 30, 94, 110], [38, 30, 98, 110]];
const speech = Float32Array.from({ length: SECONDS * RATE }, (_, i) => 0.3 * Math.sin(i * 0.07) * Math.sin(i / 2000));

async function lipsync(key: string, chunkSeconds: number, options: Record<string, unknown> = {}) {
  const generator = await ensureReferenceModel('wav2lip');
  const { logs } = await runStages({
    chunkSeconds,
    nodes: {
      speech: { def: memoryAudioSource, options: { key: 'speech' } },
      face: { def: memoryVideoSource, options: { key: 'face' } },
      boxes: { def: memoryBoxesSource, options: { key: 'boxes' } },
      lips: { def: wav2lip, options: { batchSize: 8, ...options }, models: { generator }, settings: { warmup: 1 } },
      sink: { def: memoryVideoSink, binding: key },
    },
    edges: ['speech.out -> lips.audio', 'face.out -> lips.frames', 'boxes.out -> lips.boxes', 'lips.frames -> sink.in'],
  });
  return { logs, packets: receivedPackets(key) as VideoPacket[] };
}

/** Frames whose centre time (i + 0.5)/fps lies in [start, end). */
function framesIn(start: number, end: number, fps: number): number {
  let n = 0;
  for (let i = 0; i < 1000; i++) if ((i + 0.5) / fps >= start - 1e-9 && (i + 0.5) / fps < end - 1e-9) n++;
  return n;
}

describe('wav2lip stage', () => {
  const faces = [drawFace(W, H, 62, 62, 26, 34), drawFace(W, H, 66, 62, 26, 34)];
  beforeAll(() => {
    registerClip('speech', { kind: 'audio', sampleRate: RATE, data: speech });
    const data = new Uint8Array(2 * W * H * 3);
    faces.forEach((f, i) => data.set(f.data, i * W * H * 3));
    registerClip('face', { kind: 'video', data, width: W, height: H, fps: 25, frameCount: 2 });
    registerClip('boxes', { kind: 'tensor', name: 'face-boxes', tensor: { dtype: 'int32', dims: [2, 4], data: Int32Array.from(BOXES.flat()) } });
  });

  it('renders the frames whose times fall in each chunk, looping the face, touching only the box', async () => {
    const { logs, packets } = await lipsync('lips', 0.5);
    expect(logs.filter((l) => l.includes('stage "lips": provider'))).toHaveLength(1);
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
              if (!inside && out[at] !== src[at]) throw new Error(`frame ${i} pixel (${x}, ${y}) outside the box changed`);
              if (inside && out[at] !== src[at]) changedInside++;
            }
          }
        }
      }
    }
    expect(changedInside).toBeGreaterThan(1000);
  });

  it('gives the same frames chunked as whole, and follows the fps option with no drift', async () => {
    const chunked = (await lipsync('lips-chunked', 0.4)).packets;
    const whole = (await lipsync('lips-whole', 10)).packets;
    expect(whole).toHaveLength(1);
    const joined = new Uint8Array(whole[0].data.length);
    let at = 0;
    for (const p of chunked) (joined.set(p.data, at), (at += p.data.length));
    expect(at).toBe(whole[0].data.length);
    let maxDiff = 0;
    for (let i = 0; i < joined.length; i++) maxDiff = Math.max(maxDiff, Math.abs(joined[i] - whole[0].data[i]));
    expect(maxDiff).toBeLessThanOrEqual(1); // measured 0
    // And the whole-clip frames are Wav2Lip's own: the one-shot runner over the clip's mel agrees.
    const session = await openSession(await ensureReferenceModel('wav2lip'));
    const mel = wav2lipMel(resample(speech, { inputRate: RATE, outputRate: 16000 }));
    const reference = await lipSync(session, { frames: faces, boxes: BOXES as Box[], mel, fps: 25, batchSize: 8 });
    await session.release();
    const size = W * H * 3;
    const frames = Math.min(reference.length, whole[0].frameCount);
    expect(frames).toBe(30); // the runner stops where the audio runs out: round(1.32·25) = 33 vs 30 windows
    const differing = reference.slice(0, frames).filter((f, i) => Buffer.compare(Buffer.from(f), Buffer.from(whole[0].data.subarray(i * size, (i + 1) * size))) !== 0);
    expect(differing).toHaveLength(0);
    const at30 = (await lipsync('lips-30', 0.4, { fps: 30 })).packets;
    expect(at30.every((p) => p.fps === 30)).toBe(true);
    expect(at30.reduce((n, p) => n + p.frameCount, 0)).toBe(Math.round(SECONDS * 30));
  });
});
