/**
 * Wav2Lip's face input and output geometry. In: the box crop resized to 96×96 (cv2 INTER_LINEAR),
 * in BGR (cv2's order — the model was trained on it) scaled to 0..1, laid out CHW; channels 0–2
 * are the crop with its lower half (rows 48..95) zeroed, channels 3–5 the unmasked reference crop.
 * Out: the model's [3,96,96] BGR 0..1 → ×255 truncated to uint8, resized to the box and written
 * into the RGB frame; nothing outside the box changes.
 */
import { InputError } from '../../src/core/errors.ts';
import type { Box } from '../shared/face-boxes.ts';
import { axisTaps, cropImage, resizeBilinear, type Image } from '../shared/image-resize.ts';

export const WAV2LIP_FACE = 96;
const PLANE = WAV2LIP_FACE * WAV2LIP_FACE;

function checkBox(box: Box, frame: Image): void {
  const [x1, y1, x2, y2] = box;
  if (
    !(x1 >= 0 && y1 >= 0 && x2 <= frame.width && y2 <= frame.height && x2 > x1 && y2 > y1) ||
    !box.every(Number.isInteger)
  ) {
    throw new InputError(
      `face box [${box.join(', ')}] must be integer pixels inside the ${frame.width}×${frame.height} frame with x2 > x1, y2 > y1`,
    );
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
export function pasteFace(
  frame: Image<Uint8Array>,
  box: Box,
  face: Float32Array,
  offset = 0,
  into?: Uint8Array,
): Uint8Array {
  checkBox(box, frame);
  const bgr = new Uint8Array(3 * PLANE);
  for (let p = 0; p < PLANE; p++) {
    for (let c = 0; c < 3; c++)
      bgr[3 * p + c] = Math.min(255, Math.max(0, Math.trunc(face[offset + c * PLANE + p] * 255)));
  }
  if (into && into.length !== frame.data.length)
    throw new InputError(`pasteFace: target holds ${into.length} bytes, the frame ${frame.data.length}`);
  const out = into ?? new Uint8Array(frame.data.length);
  out.set(frame.data);
  pasteResized(bgr, box, frame.width, out);
  return out;
}

/** Horizontally resized rows of the patch, reused from frame to frame (one thread, one caller at a time). */
let rowScratch = new Float64Array(0);

/**
 * The 96×96 BGR patch resized (resizeBilinear's taps and float32 values) into `box` of an RGB
 * frame `width` wide, rounded — with no resized patch in between. This runs for every output
 * frame, where the generic resize plus a paste loop cost more than Wav2Lip itself on CPU: each
 * patch row is resized across once (in RGB order), then output rows blend two of those, which
 * is the same arithmetic in the same order as the generic resize.
 */
function pasteResized(bgr: Uint8Array, [x1, y1, x2, y2]: Box, width: number, out: Uint8Array): void {
  const w = x2 - x1,
    h = y2 - y1,
    stride = w * 3;
  const xs = axisTaps(w, WAV2LIP_FACE);
  const ys = axisTaps(h, WAV2LIP_FACE);
  if (rowScratch.length < WAV2LIP_FACE * stride) rowScratch = new Float64Array(WAV2LIP_FACE * stride);
  const rows = rowScratch;
  for (let sy = 0; sy < WAV2LIP_FACE; sy++) {
    const src = sy * WAV2LIP_FACE * 3;
    let o = sy * stride;
    for (let x = 0; x < w; x++, o += 3) {
      const a = src + xs.i0[x] * 3,
        b = src + xs.i1[x] * 3,
        wx = xs.w[x],
        vx = 1 - wx;
      rows[o] = bgr[a + 2] * vx + bgr[b + 2] * wx; // BGR → RGB
      rows[o + 1] = bgr[a + 1] * vx + bgr[b + 1] * wx;
      rows[o + 2] = bgr[a] * vx + bgr[b] * wx;
    }
  }
  for (let y = 0; y < h; y++) {
    const top = ys.i0[y] * stride,
      bottom = ys.i1[y] * stride,
      wy = ys.w[y],
      vy = 1 - wy;
    const dst = ((y1 + y) * width + x1) * 3;
    for (let j = 0; j < stride; j++) out[dst + j] = Math.round(Math.fround(rows[top + j] * vy + rows[bottom + j] * wy));
  }
}
