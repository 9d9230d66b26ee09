/**
 * wav2lip stage, driven directly with items as the runtime builds them (its declared neighbours,
 * the face looped on the grid — held whole, or streamed): frames per chunk by time, no drift,
 * pixels outside the box untouched, chunked == whole across seams where the speech's cuts are off
 * the face grid. The runtime path is covered end to end by talking-head/pipeline-stages.
 */
import { describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { ChunkPackets } from '../../../src/core/item.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { itemSpecOf } from '../../../src/core/stage.ts';
import type { ChunkInfo, Packet, VideoPacket } from '../../../src/core/types.ts';
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

/**
 * The speech cut as a source cuts it: chunk k = [k·S, min((k+1)·S, total)) s, exact owned samples;
 * `moved` shifts inner cuts off the grid, as cuts moved to pauses are.
 */
function speechChunks(seconds: number, moved: (k: number) => number = () => 0): ChunkPackets[] {
  const total = speech.length / RATE;
  const count = Math.max(1, Math.ceil(total / seconds - 1e-9));
  const cut = (k: number) => (k === 0 ? 0 : k === count ? total : Math.round((k * seconds + moved(k)) * RATE) / RATE);
  return Array.from({ length: count }, (_, k) => {
    const chunk: ChunkInfo = { clipId: 'clip', index: k, start: cut(k), end: cut(k + 1), last: k === count - 1 };
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

const faces = [drawFace(W, H, 62, 62, 26, 34), drawFace(W, H, 66, 62, 26, 34)];
/** The two-frame face loop in a shared buffer, as the video source holds a short loop. */
const held = new Uint8Array(new SharedArrayBuffer(2 * W * H * 3));
faces.forEach((f, i) => held.set(f.data, i * W * H * 3));

/**
 * Face chunk k on the grid, as the video source sends a looped face: frames
 * [round(k·S·fps), round((k+1)·S·fps)) of the loop, pointing into the held loop or (streamed)
 * copied out, with face-detect's boxes for the same frames.
 */
function faceChunk(k: number, seconds: number, fps: number, streamed: boolean, last = false): Record<string, Packet> {
  const startFrame = Math.round(k * seconds * fps);
  const frameCount = Math.round((k + 1) * seconds * fps) - startFrame;
  const chunk: ChunkInfo = { clipId: 'clip', index: k, start: k * seconds, end: (k + 1) * seconds, last };
  const frameMap = Int32Array.from({ length: frameCount }, (_, i) => (startFrame + i) % 2);
  const size = W * H * 3;
  const data = streamed ? new Uint8Array(frameCount * size) : held;
  if (streamed) frameMap.forEach((j, i) => data.set(faces[j].data, i * size));
  const boxes = Int32Array.from([...frameMap].flatMap((j) => BOXES[j]));
  return {
    frames: {
      kind: 'video',
      chunk,
      width: W,
      height: H,
      fps,
      startFrame,
      frameCount,
      data,
      ...(streamed ? {} : { frameMap }),
    },
    boxes: {
      kind: 'tensor',
      chunk,
      name: 'face-boxes',
      tensor: { dtype: 'int32', dims: [frameCount, 4], data: boxes },
    },
  };
}

describe('wav2lip stage', () => {
  interface Run {
    chunkSeconds: number;
    options?: Record<string, unknown>;
    moved?: (k: number) => number;
    fps?: number;
    streamed?: boolean;
    /** The face is not looped: it ends (`last`) with chunk n − 1. */
    faceChunks?: number;
  }

  async function lipsync({ chunkSeconds, options = {}, moved, fps = 25, streamed = false, faceChunks }: Run) {
    const logs: string[] = [];
    const generator = await ensureReferenceModel('wav2lip');
    const stage = await createTransform(
      wav2lip,
      { batchSize: 8, ...options },
      { id: 'lips', models: { generator }, settings: { warmup: 1 }, log: (l) => logs.push(l) },
    );
    try {
      const chunks = speechChunks(chunkSeconds, moved).map((c) => ({
        ...c,
        ports:
          faceChunks !== undefined && c.chunk.index >= faceChunks
            ? c.ports
            : {
                ...c.ports,
                ...faceChunk(c.chunk.index, chunkSeconds, fps, streamed, c.chunk.index === (faceChunks ?? 0) - 1),
              },
      }));
      const items = clipItems(chunks, itemSpecOf(wav2lip).neighbours);
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
    const before = Buffer.from(held);
    const { logs, packets } = await lipsync({ chunkSeconds: 0.5 });
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
    expect(Buffer.compare(Buffer.from(held), before)).toBe(0); // the shared face loop is read, not written
  });

  /** The chunks' frames end to end. */
  function joined(packets: readonly VideoPacket[]): Uint8Array {
    const out = new Uint8Array(packets.reduce((n, p) => n + p.data.length, 0));
    let at = 0;
    for (const p of packets) {
      out.set(p.data, at);
      at += p.data.length;
    }
    return out;
  }

  it('gives the same frames chunked as whole — over seams off the face grid, held or streamed — with no drift', async () => {
    const oneChunk = (await lipsync({ chunkSeconds: 10 })).packets;
    expect(oneChunk).toHaveLength(1);
    // Speech cuts moved 0.12–0.14 s either way off the face chunks' edges, as cuts at pauses are:
    // a speech chunk's frames lie in the face chunk before or after its own (chunks ≥ 0.2 s, so
    // that a neighbour holds a frame's whole mel window).
    const early = (k: number) => (k % 2 ? -0.14 : 0.12);
    const late = (k: number) => (k % 2 ? 0.14 : -0.12);
    const runs: Array<[string, Run]> = [
      ['on the grid', { chunkSeconds: 0.4 }],
      ['cuts early', { chunkSeconds: 0.5, moved: early }],
      ['cuts late', { chunkSeconds: 0.5, moved: late }],
      ['cuts late, face streamed', { chunkSeconds: 0.5, moved: late, streamed: true }],
    ];
    for (const [name, run] of runs) {
      const chunked = (await lipsync(run)).packets;
      // Byte-identical: each frame is the same Wav2Lip run on the same face, box and mel window.
      expect(Buffer.compare(Buffer.from(joined(chunked)), Buffer.from(oneChunk[0].data)), name).toBe(0);
    }
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
    const at30 = (await lipsync({ chunkSeconds: 0.5, fps: 30, moved: late })).packets;
    expect(at30.every((p) => p.fps === 30)).toBe(true);
    expect(at30.reduce((n, p) => n + p.frameCount, 0)).toBe(Math.round(SECONDS * 30));
    // A face that is not looped (something else reads it too) ends before the speech: said as such.
    await expect(lipsync({ chunkSeconds: 0.5, faceChunks: 1 })).rejects.toThrow(
      /the face video ended at frame 13, before the speech: it is looped under the speech only when stages that loop it/,
    );
    // An output rate other than the face's is the face input's to set.
    await expect(lipsync({ chunkSeconds: 0.4, options: { fps: 30 } })).rejects.toThrow(
      /the option fps 30 differs from the face video's 25 fps: set the face input's fps instead/,
    );
  });
});
