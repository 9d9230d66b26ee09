/**
 * The face-detect stage: the whole face video (or a still image) → one `face-boxes` packet
 * [frames, 4] int32 (x1, y1, x2, y2 pixels per face frame), chunk index 0, `last`. The face is a
 * loop that wav2lip cycles over the speech, so it is detected once, whole: per frame threshold,
 * NMS, Wav2Lip's padding, then the moving mean over `smoothFrames`. Frames with no face take the
 * fixed `box` (said once in the log) or fail the stage naming them.
 */
import type { PortPacket, StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { Packet } from '../../src/core/types.ts';
import { fromWholeInputs } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import type { Box, BoxPadding } from '../shared/face-boxes.ts';
import { DETECTOR_HEIGHT, DETECTOR_WIDTH, trackFaces } from './detector.ts';
import { frameAt, videoPacket } from '../shared/video-frames.ts';

export interface FaceDetectStageOptions {
  threshold: number;
  nmsIou: number;
  pad: BoxPadding;
  smoothFrames: number;
  box: Box | null;
}

export async function createFaceDetectStage(o: FaceDetectStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const model = await openStageModel(ctx, 'detector', 'face-detect', {
      warmupFeeds: () => ({ input: { dtype: 'float32', dims: [1, 3, DETECTOR_HEIGHT, DETECTOR_WIDTH], data: new Float32Array(3 * DETECTOR_HEIGHT * DETECTOR_WIDTH) } }),
    });

  async function* produce(wholes: Readonly<Record<string, Packet>>): AsyncGenerator<PortPacket> {
    const video = videoPacket(wholes.frames, `stage "${ctx.id}" input "frames"`);
    const frames = Array.from({ length: video.frameCount }, (_, i) => frameAt(video, i));
    const track = await trackFaces(model.session, frames, { ...o, box: fallbackBox(o.box, video.width, video.height) });
    if (track.note) ctx.log(`stage "${ctx.id}": ${track.note}`);
    const data = new Int32Array(4 * track.boxes.length);
    track.boxes.forEach((b, i) => data.set(b, 4 * i));
    yield {
      port: 'boxes',
      packet: {
        kind: 'tensor',
        chunk: { ...video.chunk, index: 0, last: true },
        name: 'face-boxes',
        tensor: { dtype: 'int32', dims: [track.boxes.length, 4], data },
        meta: { width: video.width, height: video.height, fps: video.fps, missing: track.missing.length },
      },
    };
  }

  return { operator: fromWholeInputs(['frames'], produce), dispose: () => model.release() };
}

/** The fallback box in pixels: given in pixels, or as fractions of the frame when every value is ≤ 1. */
export function fallbackBox(box: Box | null, width: number, height: number): Box | null {
  if (!box || box.some((v) => v > 1 || v < 0)) return box;
  const [x1, y1, x2, y2] = box;
  return [Math.round(x1 * width), Math.round(y1 * height), Math.round(x2 * width), Math.round(y2 * height)];
}
