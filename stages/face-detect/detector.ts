/**
 * Face boxes for a run of frames with the Ultra-Light RFB-320 contract: each RGB frame is resized
 * to 320×240 (cv2 INTER_LINEAR), normalised (x − 127)/128 into NCHW, run, thresholded, NMS'd; the
 * best face is padded (Wav2Lip's pads); track.ts bridges missed faces and smooths the boxes over
 * `smoothFrames`. Frames with no face near take the fixed `box` when one is given (reported once
 * as a note), else fail.
 */
import { ModelError } from '../../src/core/errors.ts';
import type { Model } from '../../src/inference/model.ts';
import {
  faceCandidates,
  nonMaxSuppression,
  padBox,
  toPixels,
  type Box,
  type BoxPadding,
  type Detection,
} from '../shared/face-boxes.ts';
import { resizeBilinear, type Image } from '../shared/image-resize.ts';
import { f32 } from '../shared/tensors.ts';
import { detectionFrames, trackSpan } from './track.ts';

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
  /** Box for frames with no face near, pixels; undefined/null = fail on such frames. */
  box?: Box | null;
  /** Detect on every n-th frame, interpolating between. @defaultValue 1 */
  detectEvery?: number;
  /** A face missed for up to this many frames is bridged from the faces around it. @defaultValue 0 */
  holdFrames?: number;
}

const DEFAULT_PAD: BoxPadding = { top: 0, bottom: 10, left: 0, right: 0 };

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

/** The padded best face of one frame, or undefined where none passes the threshold. */
export async function detectPaddedFace(
  model: Detector,
  frame: Image,
  options: FaceTrackOptions = {},
): Promise<Box | undefined> {
  const [best] = await detectFaces(model, frame, options);
  return best && padBox(best.box, options.pad ?? DEFAULT_PAD, frame.width, frame.height);
}

/** Padded, smoothed face box per frame of a whole run of frames (track.ts: the same as chunk by chunk). */
export async function trackFaces(
  model: Detector,
  frames: readonly Image[],
  options: FaceTrackOptions = {},
): Promise<FaceTrack> {
  const { smoothFrames = 5, box = null, detectEvery = 1, holdFrames = 0 } = options;
  const o = { smoothFrames, fallback: box, detectEvery, holdFrames };
  const span = { first: 0, end: frames.length, availableFirst: 0, availableEnd: frames.length, total: frames.length };
  const found = new Map<number, Box | undefined>();
  for (const g of detectionFrames(span, o)) found.set(g, await detectPaddedFace(model, frames[g], options));
  const { boxes, missing } = trackSpan(span, found, o);
  return { boxes, missing, note: missing.length > 0 ? fallbackNote(missing.length, frames.length, box!) : undefined };
}

/** The one line said when the fallback box stands in for missed faces. */
export function fallbackNote(missing: number, of: number | undefined, box: Box): string {
  const frameWord = missing === 1 ? 'frame' : 'frames';
  return `no face found in ${missing} ${frameWord}${of === undefined ? '' : ` of ${of}`}; using the fallback box [${box.join(', ')}]`;
}
