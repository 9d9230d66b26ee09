/**
 * Wav2Lip's face input and output geometry. In: the box crop resized to 96×96 (cv2 INTER_LINEAR),
 * in BGR (cv2's order — the model was trained on it) scaled to 0..1, laid out CHW; channels 0–2
 * are the crop with its lower half (rows 48..95) zeroed, channels 3–5 the unmasked reference crop.
 * Out: the model's [3,96,96] BGR 0..1 → ×255 truncated to uint8, resized to the box and written
 * into the RGB frame; nothing outside the box changes.
 */
import { TalkingHeadError } from './errors.ts';
import type { Box } from './face-boxes.ts';
import { cropImage, resizeBilinear, type Image } from './image-resize.ts';

export const WAV2LIP_FACE = 96;
const PLANE = WAV2LIP_FACE * WAV2LIP_FACE;

function checkBox(box: Box, frame: Image): void {
  const [x1, y1, x2, y2] = box;
  if (!(x1 >= 0 && y1 >= 0 && x2 <= frame.width && y2 <= frame.height && x2 > x1 && y2 > y1) || !box.every(Number.isInteger)) {
    throw new TalkingHeadError(`face box [${box.join(', ')}] must be integer pixels inside the ${frame.width}×${frame.height} frame with x2 > x1, y2 > y1`);
  }
}

/** The [6, 96, 96] `video_frames` item for one frame (written into `out` at `offset`). */
export function wav2lipFaceInput(frame: Image, box: Box, out = new Float32Array(6 * PLANE), offset = 0): Float32Array {
  checkBox(box, frame);
  const crop = resizeBilinear(cropImage(frame, box[0], box[1], box[2], box[3]), WAV2LIP_FACE, WAV2LIP_FACE);
  for (let p = 0; p < PLANE; p++) {
    const masked = p >= PLANE / 2;
    for (let c = 0; c < 3; c++) {
      const v = crop.data[3 * p + (2 - c)] / 255; // RGB → BGR
      out[offset + c * PLANE + p] = masked ? 0 : v;
      out[offset + (3 + c) * PLANE + p] = v;
    }
  }
  return out;
}

/**
 * A copy of the RGB frame with the model's face ([3,96,96] BGR 0..1 at `offset`) pasted into `box`,
 * written into `into` (one frame's bytes, e.g. a slice of the chunk's output) or a new array.
 */
export function pasteFace(frame: Image<Uint8Array>, box: Box, face: Float32Array, offset = 0, into?: Uint8Array): Uint8Array {
  checkBox(box, frame);
  const bgr = new Uint8Array(3 * PLANE);
  for (let p = 0; p < PLANE; p++) {
    for (let c = 0; c < 3; c++) bgr[3 * p + c] = Math.min(255, Math.max(0, Math.trunc(face[offset + c * PLANE + p] * 255)));
  }
  const [x1, y1, x2, y2] = box;
  const patch = resizeBilinear({ data: bgr, width: WAV2LIP_FACE, height: WAV2LIP_FACE, channels: 3 }, x2 - x1, y2 - y1);
  if (into && into.length !== frame.data.length) throw new TalkingHeadError(`pasteFace: target holds ${into.length} bytes, the frame ${frame.data.length}`);
  const out = into ?? new Uint8Array(frame.data.length);
  out.set(frame.data);
  for (let y = 0; y < y2 - y1; y++) {
    for (let x = 0; x < x2 - x1; x++) {
      const src = (y * (x2 - x1) + x) * 3;
      const dst = ((y1 + y) * frame.width + x1 + x) * 3;
      for (let c = 0; c < 3; c++) out[dst + c] = Math.round(patch.data[src + 2 - c]); // BGR → RGB
    }
  }
  return out;
}
