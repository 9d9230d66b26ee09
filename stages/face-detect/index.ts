/**
 * Face boxes per frame with the Ultra-Light-Fast-Generic-Face-Detector contract: input
 * [1, 3, 240, 320] RGB normalised (x − 127) / 128 → scores [1, N, 2], boxes [1, N, 4] (normalised
 * corners); threshold, NMS, Wav2Lip's box padding, detection on every `detectEvery`-th frame with
 * missed faces bridged for up to `holdSeconds`, and a centred moving mean over `smoothFrames`.
 * Chunk by chunk, with the neighbours' frames at the edges: the boxes a whole-clip run gives.
 * Where no face is near the fixed `box` is used (and the stage says so once).
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

/**
 * Default detector stride, frames. Measured on one core (2-core dev machine): the detector takes
 * 7–13 ms a frame at 256² to 1080p (resize included), about what Wav2Lip's reference takes per
 * frame (~14 ms); every 5th frame (5 detections a second at 25 fps) makes it a tenth of that,
 * and a face does not move far in 0.2 s: the boxes between are interpolated, then smoothed.
 */
const DETECT_EVERY = 5;

const Box = z.tuple([z.number(), z.number(), z.number(), z.number()]);

const faceDetectOptions = z.strictObject({
  threshold: z.number().min(0).max(1).default(0.7).describe('Minimum face score, probability. Default 0.7.'),
  nmsIou: z.number().min(0).max(1).default(0.3).describe('NMS overlap above which a box is dropped, IoU. Default 0.3.'),
  pad: z
    .strictObject({
      top: z.number().int().default(0),
      bottom: z.number().int().default(10),
      left: z.number().int().default(0),
      right: z.number().int().default(0),
    })
    .default({ top: 0, bottom: 10, left: 0, right: 0 })
    .describe('Padding added to each box, pixels (Wav2Lip pads the chin by 10). Default 0/10/0/0.'),
  smoothFrames: z
    .number()
    .int()
    .min(1)
    .max(31)
    .default(5)
    .describe('Window of the moving mean over boxes, frames. Default 5.'),
  detectEvery: z
    .number()
    .int()
    .min(1)
    .max(25)
    .default(DETECT_EVERY)
    .describe(
      'Run the detector on every n-th frame and interpolate the boxes between, frames; 1 = every frame. Default 5.',
    ),
  holdSeconds: z
    .number()
    .min(0)
    .max(2)
    .default(0.5)
    .describe(
      'A face missed for up to this long is bridged from the faces found around it; longer gaps take the fallback box, seconds. Default 0.5.',
    ),
  box: Box.nullable()
    .default(null)
    .describe(
      'Fixed box x1, y1, x2, y2 used where no face is found — pixels, or fractions of the frame when all are ≤ 1; null = fail there. Default null.',
    ),
});

export type FaceDetectOptions = z.infer<typeof faceDetectOptions>;

export const faceDetect = defineTransform({
  kind: 'face-detect',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createFaceDetectStage'),
  summary: 'Face box per frame (Ultra-Light RFB-320 contract), padded and smoothed.',
  inputs: {
    frames: {
      type: 'video',
      doc: 'Frames of the face video (or a still image), chunk by chunk, looped under the speech.',
      loop: true,
    },
  },
  outputs: {
    boxes: {
      type: 'tensor:face-boxes',
      doc: '[frames, 4] int32 pixel boxes x1, y1, x2, y2, one per frame of the chunk.',
    },
  },
  options: faceDetectOptions,
  models: { detector: { family: 'face-detect', doc: 'input [1, 3, 240, 320] → scores, boxes.' } },
  // Smoothing and bridging reach across chunk edges (track.ts trackReach, under a second).
  item: { neighbours: { before: 1, after: 1 } },
  thread: 'worker',
});
