/**
 * Face boxes for a run of frames with the Ultra-Light RFB-320 contract: each RGB frame is resized
 * to 320×240 (cv2 INTER_LINEAR), normalised (x − 127)/128 into NCHW, run, thresholded, NMS'd; the
 * best face is padded (Wav2Lip's pads) and the boxes are smoothed over `smoothFrames`. Frames with
 * no face take the fixed `box` when one is given (reported once as a note), else fail.
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { Model } from '../../src/inference/model.ts';
import {
  faceCandidates,
  nonMaxSuppression,
  padBox,
  smoothBoxes,
  toPixels,
  type Box,
  type BoxPadding,
  type Detection,
} from '../shared/face-boxes.ts';
import { resizeBilinear, type Image } from '../shared/image-resize.ts';
import { f32 } from '../shared/tensors.ts';

export const DETECTOR_WIDTH = 320;
export const DETECTOR_HEIGHT = 240;

/** What the detector needs of a model: a run by the contract's names, and its file for messages. */
export type Detector = Pick<Model, 'run' | 'path'>;

/** An RGB24 frame, row-major, interleaved. */
export type RgbFrame = Image<Uint8Array> & { channels: 3 };

export interface FaceTrackOptions {
  /** Minimum face probability (strict). @defaultValue 0.7 */
  threshold?: number;
  /** NMS IoU above which a box is dropped. @defaultValue 0.3 */
  nmsIou?: number;
  /** Pixels added to each side. @defaultValue top 0, bottom 10, left 0, right 0 */
  pad?: BoxPadding;
  /** Moving-mean window, frames. @defaultValue 5 */
  smoothFrames?: number;
  /** Box for frames with no face, pixels; undefined/null = fail on such frames. */
  box?: Box | null;
}

export interface FaceTrack {
  /** One box per frame, integer pixels [x1, y1, x2, y2]. */
  boxes: Box[];
  /** Indices of frames where no face was found. */
  missing: number[];
  /** One note when the fallback box was used. */
  note?: string;
}

/** The detector's `input` tensor data [1, 3, 240, 320]: RGB planes, (x − 127)/128. */
export function detectorInput(frame: Image): Float32Array {
  const small = resizeBilinear(frame, DETECTOR_WIDTH, DETECTOR_HEIGHT);
  const plane = DETECTOR_WIDTH * DETECTOR_HEIGHT;
  const out = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = (small.data[3 * p + c] - 127) / 128;
  return out;
}

/** All faces of one frame after threshold and NMS, best first, in pixels of the frame. */
export async function detectFaces(model: Detector, frame: Image, options: FaceTrackOptions = {}): Promise<Detection[]> {
  const { threshold = 0.7, nmsIou = 0.3 } = options;
  const { scores, boxes } = await model.run({
    input: f32(detectorInput(frame), [1, 3, DETECTOR_HEIGHT, DETECTOR_WIDTH]),
  });
  if (scores?.dtype !== 'float32' || boxes?.dtype !== 'float32' || 2 * boxes.data.length !== 4 * scores.data.length) {
    throw new ModelError(
      model.path,
      `expected float32 scores [1, N, 2] and boxes [1, N, 4]; got scores ${scores?.dtype}[${scores?.dims.join(', ')}], boxes ${boxes?.dtype}[${boxes?.dims.join(', ')}]`,
    );
  }
  const kept = nonMaxSuppression(
    faceCandidates(scores.data as Float32Array, boxes.data as Float32Array, threshold),
    nmsIou,
  );
  return kept.map((d) => ({ score: d.score, box: toPixels(d.box, frame.width, frame.height) }));
}

/** Padded, smoothed face box per frame (the face-detect stage's output). */
export async function trackFaces(
  model: Detector,
  frames: readonly Image[],
  options: FaceTrackOptions = {},
): Promise<FaceTrack> {
  const { pad = { top: 0, bottom: 10, left: 0, right: 0 }, smoothFrames = 5, box = null } = options;
  const found: Array<Box | undefined> = [];
  for (const frame of frames) {
    const [best] = await detectFaces(model, frame, options);
    found.push(best && padBox(best.box, pad, frame.width, frame.height));
  }
  const missing = found.flatMap((b, i) => (b ? [] : [i]));
  if (missing.length > 0 && !box) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? ', …' : '');
    throw new InputError(
      `no face found in ${missing.length} of ${frames.length} frames (frames ${shown}); set the face-detect option "box" to use a fixed box there`,
    );
  }
  const boxes = smoothBoxes(
    found.map((b) => b ?? box!),
    smoothFrames,
  );
  const frameWord = missing.length === 1 ? 'frame' : 'frames';
  const note =
    missing.length > 0
      ? `no face found in ${missing.length} ${frameWord} of ${frames.length}; using the fallback box [${box!.join(', ')}]`
      : undefined;
  return { boxes, missing, note };
}
