/**
 * face-detect stage on the real Ultra-Light RFB-320 detector that reel ships (its default), on the
 * sample face (a crop of a public-domain photograph) and the sample face video, driven directly
 * with the items the runtime builds: one boxes packet per chunk of face frames, the same boxes
 * chunk by chunk as in one chunk.
 */
import ffmpegInstaller from '@ffmpeg-installer/ffmpeg';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ChunkPackets } from '../../../src/core/item.ts';
import { itemSpecOf } from '../../../src/core/stage.ts';
import type { ChunkInfo, TensorPacket, VideoPacket } from '../../../src/core/types.ts';
import { pretrainedModelPath } from '../../../models/pretrained.ts';
import { faceDetect } from '../../../stages/face-detect/index.ts';
import { clipItems, createTransform, processAll } from '../../helpers/stage-harness.ts';

const DETECTOR = pretrainedModelPath('face-detect')!;
const FACE_PNG = new URL('../../../samples/talking-head/short/face.png', import.meta.url).pathname;
const FACE_MP4 = new URL('../../../samples/talking-head/medium/face.mp4', import.meta.url).pathname;
const SIZE = 256;

/** A sample face decoded by ffmpeg to RGB24 (every frame). */
async function decodeFace(file = FACE_PNG): Promise<Uint8Array> {
  const { stdout } = await promisify(execFile)(
    ffmpegInstaller.path,
    ['-nostdin', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 1 << 26 },
  );
  return new Uint8Array(stdout);
}

/**
 * A looped face stream cut on a grid of `size` frames, `total` frames long (the last chunk marked
 * last): each chunk pointing into the held loop, or with its frames copied out (streamed).
 */
function streamChunks(held: Uint8Array, total: number, size: number, streamed: boolean): ChunkPackets[] {
  const frameBytes = SIZE * SIZE * 3;
  const loop = held.length / frameBytes;
  const chunks = Math.ceil(total / size);
  return Array.from({ length: chunks }, (_, k) => {
    const startFrame = k * size;
    const frameCount = Math.min(total, startFrame + size) - startFrame;
    const chunk: ChunkInfo = {
      clipId: 'clip',
      index: k,
      start: startFrame / 25,
      end: (startFrame + frameCount) / 25,
      last: k === chunks - 1,
    };
    const frameMap = Int32Array.from({ length: frameCount }, (_, i) => (startFrame + i) % loop);
    const data = streamed ? new Uint8Array(frameCount * frameBytes) : held;
    if (streamed)
      frameMap.forEach((j, i) => data.set(held.subarray(j * frameBytes, (j + 1) * frameBytes), i * frameBytes));
    const frames: VideoPacket = {
      kind: 'video',
      chunk,
      data,
      width: SIZE,
      height: SIZE,
      fps: 25,
      startFrame,
      frameCount,
      ...(streamed ? {} : { frameMap }),
    };
    return { chunk, ports: { frames } };
  });
}

async function streamBoxes(chunks: ChunkPackets[], options: Record<string, unknown>): Promise<number[]> {
  const stage = await createTransform(faceDetect, options, {
    id: 'faces',
    models: { detector: DETECTOR },
    settings: { warmup: 0 },
    log: () => {},
  });
  try {
    const out = await processAll(stage, clipItems(chunks, itemSpecOf(faceDetect).neighbours));
    return out.flatMap((p) => Array.from((p.packet as TensorPacket).tensor.data as Int32Array));
  } finally {
    await stage.dispose();
  }
}

/** The face loop as a whole input: one packet over a shared buffer, as the runtime hands it to workers. */
function video(frames: Uint8Array[]): VideoPacket {
  const data = new Uint8Array(new SharedArrayBuffer(frames.length * SIZE * SIZE * 3));
  frames.forEach((f, i) => data.set(f, i * f.length));
  const chunk: ChunkInfo = { clipId: 'clip', index: 0, start: 0, end: frames.length / 25, last: true };
  return { kind: 'video', chunk, data, width: SIZE, height: SIZE, fps: 25, startFrame: 0, frameCount: frames.length };
}

const clips = new Map<string, VideoPacket>();

async function detect(key: string, options: Record<string, unknown> = {}, detector = DETECTOR) {
  const logs: string[] = [];
  const stage = await createTransform(faceDetect, options, {
    id: 'faces',
    models: { detector },
    settings: { warmup: 1 },
    log: (l) => logs.push(l),
  });
  try {
    const frames = clips.get(key)!;
    const before = Buffer.from(frames.data);
    const out = await processAll(
      stage,
      clipItems([{ chunk: frames.chunk, ports: { frames } }], { before: 1, after: 1 }),
    );
    expect(Buffer.compare(Buffer.from(frames.data), before)).toBe(0); // the shared frames are read, not written
    expect(out.every((p) => p.port === 'boxes')).toBe(true);
    return { logs, packets: out.map((p) => p.packet as TensorPacket) };
  } finally {
    await stage.dispose();
  }
}

describe('face-detect stage', () => {
  let face: Uint8Array;
  const blank = new Uint8Array(SIZE * SIZE * 3).fill(128);
  beforeAll(async () => {
    face = await decodeFace();
    expect(face.length).toBe(SIZE * SIZE * 3);
    clips.set('face', video([face, face, face]));
    clips.set('face-and-blank', video([face, blank, face]));
  });

  it('sends one [frames, 4] int32 packet, chunk 0 and last, with the face of the astronaut boxed in every frame', async () => {
    const { logs, packets } = await detect('face');
    expect(logs.filter((l) => l.includes('provider'))).toHaveLength(1);
    expect(packets).toHaveLength(1);
    const [p] = packets;
    expect(p.chunk).toMatchObject({ index: 0, last: true });
    expect(p.tensor.dtype).toBe('int32');
    expect(p.tensor.dims).toEqual([3, 4]);
    const boxes = Array.from({ length: 3 }, (_, i) =>
      Array.from(p.tensor.data.subarray(4 * i, 4 * i + 4) as Int32Array),
    );
    expect(boxes[1]).toEqual(boxes[0]); // a still face: the same box after smoothing
    // Where the face is: the detector's box on the whole 512×512 photograph, (180, 62)–(268, 174),
    // moved into this 256×256 crop (taken from x 96, y 0), the chin padded by 10 as Wav2Lip pads it.
    // The crop is detected at another scale, so within a few pixels.
    const face = [180 - 96, 62, 268 - 96, 174 + 10];
    boxes[0].forEach((v, i) => expect(Math.abs(v - face[i])).toBeLessThanOrEqual(8));
  });

  it('uses the fixed box where no face is found, saying so once; fails naming the frame without one', async () => {
    const noHold = { holdSeconds: 0, smoothFrames: 1, detectEvery: 1 };
    const { logs, packets } = await detect('face-and-blank', { ...noHold, box: [10, 20, 110, 140] });
    expect(
      logs.filter((l) =>
        l.includes('no face found in 1 frame; using the fallback box [10, 20, 110, 140] (first at frame 1'),
      ),
    ).toHaveLength(1);
    expect(Array.from(packets[0].tensor.data.subarray(4, 8) as Int32Array)).toEqual([10, 20, 110, 140]);
    await expect(detect('face-and-blank', noHold)).rejects.toThrow(/no face found in or near 1 frame \(frame 1\)/);
    // Within holdSeconds (default 0.5 s) the missed face is bridged from the faces either side.
    const bridged = await detect('face-and-blank', { smoothFrames: 1, detectEvery: 1 });
    const box = (i: number) => Array.from(bridged.packets[0].tensor.data.subarray(4 * i, 4 * i + 4) as Int32Array);
    expect(box(1)).toEqual(box(0));
    expect(bridged.logs.filter((l) => l.includes('fallback'))).toEqual([]);
  });

  it("the detector re-exported from its repository's own weights (models/export/face-detect.py) boxes the face where the shipped file does", async () => {
    const fixture = new URL('../../fixtures/real-arch/face-detect.onnx', import.meta.url).pathname;
    const boxes = async (detector: string) =>
      Array.from((await detect('face', {}, detector)).packets[0].tensor.data as Int32Array);
    const shipped = await boxes(DETECTOR);
    const exported = await boxes(fixture);
    exported.forEach((v, i) => expect(Math.abs(v - shipped[i])).toBeLessThanOrEqual(1));
  });

  it('gives the same boxes chunk by chunk as in one chunk, on the moving sample face, looped past its end', async () => {
    const video = await decodeFace(FACE_MP4); // 50 frames of a slow pan
    const held = new Uint8Array(new SharedArrayBuffer(video.length));
    held.set(video);
    const total = 80; // the 50-frame loop and 30 frames of its next pass
    for (const options of [{}, { detectEvery: 3, holdSeconds: 0.2, smoothFrames: 7 }]) {
      const whole = await streamBoxes(streamChunks(held, total, total, false), options);
      expect(whole).toHaveLength(4 * total);
      // The face moves: the boxes are not all one box.
      expect(new Set(Array.from({ length: total }, (_, i) => whole[4 * i])).size).toBeGreaterThan(3);
      for (const streamed of [false, true]) {
        const chunked = await streamBoxes(streamChunks(held, total, 23, streamed), options);
        expect(chunked, JSON.stringify({ options, streamed })).toEqual(whole);
      }
    }
  });
});
