/**
 * The face-detect stage: the whole face video (or a still image) → one `face-boxes` packet
 * [frames, 4] int32 (x1, y1, x2, y2 pixels per face frame), chunk index 0, `last`. The face is a
 * loop that wav2lip cycles over the speech, so it is detected once, whole: per frame threshold,
 * NMS, Wav2Lip's padding, then the moving mean over `smoothFrames`. Frames with no face take the
 * fixed `box` (said once in the log) or fail naming them. Frames are read as views of the whole
 * packet (a shared buffer), never copied.
 */
import { defer } from 'rxjs';
import type { LogLevel, PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { StageItem } from '../../src/core/item.ts';
import { openStageModel } from '../shared/open-model.ts';
import type { Box } from '../shared/face-boxes.ts';
import { checkedFrames, frameAt } from '../shared/video-frames.ts';
import { trackFaces, type Detector } from './detector.ts';
import type { FaceDetectOptions } from './index.ts';

export async function createFaceDetectStage(o: FaceDetectOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  // The input's shape is fixed ([1, 3, 240, 320]): no symbolic axes to size.
  const model = await openStageModel(ctx, 'detector', 'face-detect', { warmup: { dims: {} } });
  return {
    process: (item) => defer(() => detectBoxes(model, o, item, ctx.log)),
    dispose: () => model.release(),
  };
}

/** The one boxes packet of a clip, from its whole `frames` input. */
export async function detectBoxes(
  model: Detector,
  o: FaceDetectOptions,
  item: StageItem,
  log: (line: string, level?: LogLevel) => void,
): Promise<PortPacket> {
  const video = checkedFrames(item.whole.video('frames'), 'frames');
  const frames = Array.from({ length: video.frameCount }, (_, i) => frameAt(video, i));
  const track = await trackFaces(model, frames, { ...o, box: fallbackBox(o.box, video.width, video.height) });
  if (track.note) log(track.note, 'warning');
  const data = new Int32Array(4 * track.boxes.length);
  track.boxes.forEach((b, i) => data.set(b, 4 * i));
  const packet = {
    kind: 'tensor' as const,
    chunk: { ...video.chunk, index: 0, last: true },
    name: 'face-boxes',
    tensor: { dtype: 'int32' as const, dims: [track.boxes.length, 4], data },
    meta: { width: video.width, height: video.height, fps: video.fps, missing: track.missing.length },
  };
  return { port: 'boxes', packet };
}

/** The fallback box in pixels: given in pixels, or as fractions of the frame when every value is ≤ 1. */
export function fallbackBox(box: Box | null, width: number, height: number): Box | null {
  if (!box || box.some((v) => v > 1 || v < 0)) return box;
  const [x1, y1, x2, y2] = box;
  return [Math.round(x1 * width), Math.round(y1 * height), Math.round(x2 * width), Math.round(y2 * height)];
}
