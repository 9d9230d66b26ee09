/**
 * Ultra-Light face detector post-processing (Linzaer's `predict`: per-prior face probability,
 * strict threshold, hard NMS by descending score) and the box geometry Wav2Lip applies after it.
 * Boxes are [x1, y1, x2, y2]; the model's are normalised corners, NMS runs on those (as the
 * original does) and the kept boxes are scaled to the frame's pixels.
 */

export type Box = [number, number, number, number];

export interface Detection {
  box: Box;
  score: number;
}

function area(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** Intersection over union, with the original's 1e-5 in the denominator. */
export function iou(a: Box, b: Box): number {
  const inter = area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
  return inter / (area(a) + area(b) - inter + 1e-5);
}

/** Priors whose face probability exceeds `threshold` (scores [N,2]: background, face; boxes [N,4]). */
export function faceCandidates(scores: Float32Array, boxes: Float32Array, threshold: number): Detection[] {
  const out: Detection[] = [];
  const n = scores.length / 2;
  for (let i = 0; i < n; i++) {
    const score = scores[2 * i + 1];
    if (score > threshold)
      out.push({ score, box: [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]] });
  }
  return out;
}

/** Hard NMS: highest score first; a box overlapping a kept one by more than `iouThreshold` is dropped. */
export function nonMaxSuppression(detections: readonly Detection[], iouThreshold: number): Detection[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) if (kept.every((k) => iou(k.box, d.box) <= iouThreshold)) kept.push(d);
  return kept;
}

/** Normalised corners → pixel corners of a `width`×`height` frame (truncated to integers, as the original's astype(int32)). */
export function toPixels(box: Box, width: number, height: number): Box {
  return [
    Math.trunc(box[0] * width),
    Math.trunc(box[1] * height),
    Math.trunc(box[2] * width),
    Math.trunc(box[3] * height),
  ];
}

export interface BoxPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Wav2Lip's `pads`: grow the box (bottom 10 px by default, to keep the chin) and clip it to the frame. */
export function padBox(box: Box, pad: BoxPadding, width: number, height: number): Box {
  return [
    Math.max(0, box[0] - pad.left),
    Math.max(0, box[1] - pad.top),
    Math.min(width, box[2] + pad.right),
    Math.min(height, box[3] + pad.bottom),
  ];
}

/**
 * Centred moving mean over `window` frames, the window slid inward at the ends so it always
 * holds `window` boxes (Wav2Lip's `get_smoothened_boxes` uses a forward window [i, i+T) and
 * the same end rule; the stage declares ±⌊window/2⌋ frames of context, so it is centred here).
 * Results are truncated to integer pixels, as Wav2Lip's int array does.
 */
export function smoothBoxes(boxes: readonly Box[], window = 5): Box[] {
  const n = boxes.length;
  const w = Math.min(window, n);
  const half = Math.floor((w - 1) / 2);
  return boxes.map((_, i) => {
    const start = Math.max(0, Math.min(i - half, n - w));
    const sum = [0, 0, 0, 0];
    for (let j = start; j < start + w; j++) for (let k = 0; k < 4; k++) sum[k] += boxes[j][k];
    return sum.map((s) => Math.trunc(s / w)) as Box;
  });
}
