/**
 * The face-detect stage, chunk by chunk: the face frames of one chunk of the (looped) face stream
 * → one `face-boxes` packet [frames, 4] int32 (x1, y1, x2, y2 pixels per frame) on the same chunk.
 * Detection runs on every `detectEvery`-th frame of the stream; track.ts bridges missed faces and
 * smooths across chunk edges with the neighbouring chunks' frames, so the boxes are the ones a
 * whole-clip run gives. Detections are kept per worker for the frames its next items will need
 * again (and, in a loop held whole, per held frame: a still image is detected once). Frames with no
 * face near take the fixed `box` (said once per clip) or fail naming them.
 */
import { defer } from 'rxjs';
import { InputError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import type { LogLevel, PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { VideoPacket } from '../../src/core/types.ts';
import type { Box } from '../shared/face-boxes.ts';
import { openStageModel } from '../shared/open-model.ts';
import { checkedFrames, frameAt, heldFrameIndex, holdsFrame } from '../shared/video-frames.ts';
import { detectPaddedFace, fallbackNote, type Detector } from './detector.ts';
import type { FaceDetectOptions } from './index.ts';
import { detectionFrames, trackSpan, type TrackOptions } from './track.ts';

/** Detections a worker keeps (a few chunks' worth of detection frames). */
const CACHE_ENTRIES = 4096;

/** Found faces by frame key, oldest dropped first. */
export class DetectionCache {
  private readonly map = new Map<string, Box | undefined>();
  constructor(private readonly limit = CACHE_ENTRIES) {}

  async get(key: string, detect: () => Promise<Box | undefined>): Promise<Box | undefined> {
    if (this.map.has(key)) return this.map.get(key);
    const box = await detect();
    this.map.set(key, box);
    if (this.map.size > this.limit) this.map.delete(this.map.keys().next().value as string);
    return box;
  }
}

export async function createFaceDetectStage(o: FaceDetectOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  // The input's shape is fixed ([1, 3, 240, 320]): no symbolic axes to size.
  const model = await openStageModel(ctx, 'detector', 'face-detect', { warmup: { dims: {} } });
  const cache = new DetectionCache();
  // Once per clip: an instance shared by a batch's samples in flight serves several clips.
  const noted = new Set<string>();
  const note = (clip: string) => (line: string, level?: LogLevel) => {
    if (noted.has(clip)) return;
    noted.add(clip);
    ctx.log(line, level);
  };
  return {
    process: (item) => defer(() => detectBoxes(model, o, item, note(item.chunk.clipId), cache)),
    dispose: () => model.release(),
  };
}

/** The tracking settings at this frame rate. */
export function trackOptions(o: FaceDetectOptions, video: VideoPacket): TrackOptions {
  return {
    detectEvery: o.detectEvery,
    holdFrames: Math.round(o.holdSeconds * video.fps),
    smoothFrames: o.smoothFrames,
    fallback: fallbackBox(o.box, video.width, video.height),
  };
}

/** The boxes packet of one chunk of face frames, from it and its neighbours. */
export async function detectBoxes(
  model: Detector,
  o: FaceDetectOptions,
  item: StageItem,
  log: (line: string, level?: LogLevel) => void,
  cache = new DetectionCache(),
): Promise<PortPacket> {
  const video = checkedFrames(item.video('frames'), 'frames');
  const views = [...item.before, item, ...item.after].map((c) => checkedFrames(c.video('frames'), 'frames'));
  for (let i = 1; i < views.length; i++) {
    if (views[i].startFrame !== views[i - 1].startFrame + views[i - 1].frameCount)
      throw new InputError(
        `input "frames": chunk ${views[i].chunk.index} starts at frame ${views[i].startFrame}, not where chunk ${views[i - 1].chunk.index} ends`,
      );
  }
  const last = views.at(-1)!;
  const span = {
    first: video.startFrame,
    end: video.startFrame + video.frameCount,
    availableFirst: views[0].startFrame,
    availableEnd: last.startFrame + last.frameCount,
    total: last.chunk.last ? last.startFrame + last.frameCount : undefined,
  };
  const track = trackOptions(o, video);
  const found = new Map<number, Box | undefined>();
  const clip = video.chunk.clipId;
  for (const g of detectionFrames(span, track)) {
    const packet = views.find((v) => holdsFrame(v, g));
    if (!packet) continue; // past the frames at hand: trackSpan says which settings to change
    const i = g - packet.startFrame;
    // A loop held whole: the same held frame gives the same face wherever it recurs.
    const key = packet.frameMap ? `${clip}:held ${heldFrameIndex(packet, i)}` : `${clip}:${g}`;
    found.set(g, await cache.get(key, () => detectPaddedFace(model, frameAt(packet, i), o)));
  }
  const { boxes, missing } = trackSpan(span, found, track);
  if (missing.length > 0)
    log(
      `${fallbackNote(missing.length, undefined, track.fallback!)} (first at frame ${missing[0]}; said once)`,
      'warning',
    );
  const data = new Int32Array(4 * boxes.length);
  boxes.forEach((b, i) => data.set(b, 4 * i));
  const packet = {
    kind: 'tensor' as const,
    chunk: video.chunk,
    name: 'face-boxes',
    tensor: { dtype: 'int32' as const, dims: [boxes.length, 4], data },
    meta: {
      width: video.width,
      height: video.height,
      fps: video.fps,
      startFrame: video.startFrame,
      missing: missing.length,
    },
  };
  return { port: 'boxes', packet };
}

/** The fallback box in pixels: given in pixels, or as fractions of the frame when every value is ≤ 1. */
export function fallbackBox(box: Box | null, width: number, height: number): Box | null {
  if (!box || box.some((v) => v > 1 || v < 0)) return box;
  const [x1, y1, x2, y2] = box;
  return [Math.round(x1 * width), Math.round(y1 * height), Math.round(x2 * width), Math.round(y2 * height)];
}
