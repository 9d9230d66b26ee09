/**
 * Ultra-Light face detector contract (version-RFB-320): `input` [1,3,240,320] → `scores`
 * [1,4420,2] (softmax) and `boxes` [1,4420,4] (normalised corners, priors decoded in-graph).
 * Backbone of stride-2 convs to the four feature maps 30×40, 15×20, 8×10, 4×5 with
 * 3, 2, 2, 3 anchors each — the real model's layout, so N = 4420 exactly.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv } from '../../src/onnx/layers.ts';

export interface FaceDetectHyper {
  /** Widths at 120×160, 60×80, 30×40, 15×20, 8×10, 4×5. */
  channels: readonly number[];
}

const MIN_BOXES = [
  [10, 16, 24],
  [32, 48],
  [64, 96],
  [128, 192, 256],
];
const FEATURE_MAPS = [
  [30, 40],
  [15, 20],
  [8, 10],
  [4, 5],
];
const SHRINKAGE = [8, 16, 32, 64];
const WIDTH = 320;
const HEIGHT = 240;

/** Priors [N, 4] as (cx, cy, w, h), clipped to [0, 1], in the detector's own order. */
export function facePriors(): Float32Array {
  const out: number[] = [];
  FEATURE_MAPS.forEach(([fh, fw], k) => {
    for (let j = 0; j < fh; j++) {
      for (let i = 0; i < fw; i++) {
        for (const m of MIN_BOXES[k]) {
          const p = [(i + 0.5) / (WIDTH / SHRINKAGE[k]), (j + 0.5) / (HEIGHT / SHRINKAGE[k]), m / WIDTH, m / HEIGHT];
          out.push(...p.map((v) => Math.min(1, Math.max(0, v))));
        }
      }
    }
  });
  return Float32Array.from(out);
}

export function buildFaceDetect(h: FaceDetectHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('face-detect', seed);
  const input = b.input('input', 'float32', [1, 3, HEIGHT, WIDTH], 'RGB, (x − 127)/128');
  let x = input;
  let cin = 3;
  const maps: { x: string; ch: number }[] = [];
  h.channels.forEach((c, i) => {
    x = b.relu(conv(b, `backbone.${i}`, x, { cin, cout: c, kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }));
    cin = c;
    if (i >= 2) maps.push({ x, ch: c });
  });
  const scores: string[] = [];
  const locs: string[] = [];
  maps.forEach((m, k) => {
    const anchors = MIN_BOXES[k].length;
    const head = (name: string, per: number): string =>
      b.reshape(
        b.transpose(conv(b, `${name}.${k}`, m.x, { cin: m.ch, cout: anchors * per, kernel: [3, 3] }), [0, 2, 3, 1]),
        [1, -1, per],
      );
    scores.push(head('classification_headers', 2));
    locs.push(head('regression_headers', 4));
  });
  const probs = b.softmax(b.concat(scores, 1), -1);
  const loc = b.concat(locs, 1);
  const priors = facePriors();
  const n = priors.length / 4;
  const p = b.initializer('priors', 'float32', [1, n, 4], priors);
  // SSD decoding with variances 0.1 (centre) and 0.2 (size), then centre form → corners.
  const pc = b.slice(p, [0], [2], [2]);
  const pwh = b.slice(p, [2], [4], [2]);
  const centre = b.add(pc, b.mul(b.mul(b.slice(loc, [0], [2], [2]), b.constFloat([0.1], [])), pwh));
  const size = b.mul(b.op('Exp', [b.mul(b.slice(loc, [2], [4], [2]), b.constFloat([0.2], []))]), pwh);
  const half = b.mul(size, b.constFloat([0.5], []));
  const boxes = b.concat([b.sub(centre, half), b.add(centre, half)], 2);
  b.output(probs, 'scores', 'float32', [1, n, 2], '[background, face] probabilities per prior');
  b.output(boxes, 'boxes', 'float32', [1, n, 4], 'x1, y1, x2, y2 normalised to [0, 1]');
  return b.model({ doc: 'reel reference face detector, Ultra-Light RFB-320 contract (seeded random weights)' });
}
