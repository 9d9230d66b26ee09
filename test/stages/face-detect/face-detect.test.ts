/** Face detection on the real Ultra-Light RFB-320 model: input tensor, decode, NMS, padding, smoothing, fallback. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  faceCandidates,
  iou,
  nonMaxSuppression,
  padBox,
  smoothBoxes,
  toPixels,
  type Box,
} from '../../../stages/shared/face-boxes.ts';
import { detectFaces, detectorInput, trackFaces } from '../../../stages/face-detect/detector.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { openModel, type Model } from '../../../src/inference/model.ts';
import { drawFace } from '../talking-head/synthetic-face.ts';

const DETECTOR = new URL('../../../../shared/models/face-detector-rfb-320.onnx', import.meta.url).pathname;

describe('detector input', () => {
  it('resizes any frame to 320×240 RGB planes normalised (x − 127)/128', () => {
    // 640×480: left half red, right half blue; a 2:1 downscale keeps the halves exact away from the seam.
    const w = 640,
      h = 480;
    const data = new Uint8Array(w * h * 3);
    for (let p = 0; p < w * h; p++) data.set(p % w < w / 2 ? [255, 0, 0] : [0, 0, 255], 3 * p);
    const x = detectorInput({ data, width: w, height: h, channels: 3 });
    expect(x).toHaveLength(3 * 240 * 320);
    const at = (c: number, row: number, col: number) => x[c * 76800 + row * 320 + col];
    expect(at(0, 10, 10)).toBeCloseTo(128 / 128, 6);
    expect(at(2, 10, 10)).toBeCloseTo(-127 / 128, 6);
    expect(at(0, 200, 300)).toBeCloseTo(-127 / 128, 6);
    expect(at(2, 200, 300)).toBeCloseTo(1, 6);
    expect(at(1, 120, 160)).toBeCloseTo(-127 / 128, 6);
  });
});

describe('decoding, NMS and box geometry (hand-built arrays)', () => {
  it('thresholds strictly on the face column, keeps the best of overlapping boxes, scales to pixels', () => {
    const scores = Float32Array.from([0.1, 0.9, 0.3, 0.7, 0.05, 0.95, 0.2, 0.8, 0.5, 0.5]);
    const boxes = Float32Array.from([
      0.1,
      0.1,
      0.5,
      0.5, // 0.9
      0.9,
      0.9,
      1.0,
      1.0, // 0.7: not > 0.7
      0.12,
      0.1,
      0.52,
      0.5, // 0.95, overlaps the first
      0.6,
      0.6,
      0.8,
      0.9, // 0.8, separate
      0,
      0,
      1,
      1,
    ]);
    const cands = faceCandidates(scores, boxes, 0.7);
    expect(cands.map((c) => c.score)).toEqual([0.9, 0.95, 0.8].map(Math.fround));
    const kept = nonMaxSuppression(cands, 0.3);
    expect(kept.map((k) => k.score)).toEqual([0.95, 0.8].map(Math.fround));
    // IoU of [0,0,2,2] and [1,0,3,2] = 2 / 6.
    expect(iou([0, 0, 2, 2], [1, 0, 3, 2])).toBeCloseTo(1 / 3, 4);
    expect(toPixels([0.1, 0.25, 0.5, 0.755], 640, 480)).toEqual([64, 120, 320, 362]);
  });

  it('pads bottom by 10 and clips to the frame; smooths with a centred 5-frame mean slid inward at the ends', () => {
    expect(padBox([10, 20, 100, 115], { top: 0, bottom: 10, left: 0, right: 0 }, 200, 120)).toEqual([10, 20, 100, 120]);
    expect(padBox([0, 0, 50, 50], { top: 5, bottom: 10, left: 5, right: 5 }, 200, 120)).toEqual([0, 0, 55, 60]);
    const boxes: Box[] = [0, 10, 20, 30, 40, 50, 60].map((v) => [v, v, v + 100, v + 100]);
    const s = smoothBoxes(boxes, 5);
    expect(s.map((b) => b[0])).toEqual([20, 20, 20, 30, 40, 40, 40]);
    expect(
      smoothBoxes(
        [
          [0, 0, 3, 3],
          [1, 1, 4, 4],
        ],
        5,
      ),
    ).toEqual([
      [0, 0, 3, 3],
      [0, 0, 3, 3],
    ]);
  });
});

describe('real detector', () => {
  let model: Model;
  beforeAll(async () => {
    model = await openModel({
      stage: 'test',
      path: DETECTOR,
      contract: MANIFESTS['face-detect'],
      settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0 },
      log: () => {},
    });
  });
  afterAll(async () => model?.release());

  it('finds a drawn face at several frame sizes, overlapping the drawn oval', async () => {
    for (const [w, h, cx, cy, rx, ry] of [
      [640, 480, 320, 230, 90, 120],
      [1280, 720, 600, 360, 150, 200],
    ]) {
      const face = drawFace(w, h, cx, cy, rx, ry);
      const found = await detectFaces(model, face);
      expect(found).toHaveLength(1);
      expect(found[0].score).toBeGreaterThan(0.9);
      expect(iou(found[0].box, face.oval)).toBeGreaterThan(0.7);
    }
  });

  it('tracks a moving face; a blank frame takes the fixed box with one note, or fails without one', async () => {
    const frames = [300, 310, 320, 330, 340].map((cx) => drawFace(640, 480, cx, 230, 90, 120));
    const blank = { data: new Uint8Array(640 * 480 * 3).fill(128), width: 640, height: 480, channels: 3 as const };
    const singles = await Promise.all(frames.map(async (f) => (await detectFaces(model, f))[0].box));
    const track = await trackFaces(model, [...frames.slice(0, 3), blank, ...frames.slice(3)], {
      box: [100, 100, 200, 220],
    });
    expect(track.missing).toEqual([3]);
    expect(track.note).toBe('no face found in 1 frame of 6; using the fallback box [100, 100, 200, 220]');
    expect(track.boxes).toHaveLength(6);
    const padded = singles.map((b) => padBox(b, { top: 0, bottom: 10, left: 0, right: 0 }, 640, 480));
    const series = [...padded.slice(0, 3), [100, 100, 200, 220] as Box, ...padded.slice(3)];
    const meanOf = (k: number, from: number) =>
      Math.trunc(series.slice(from, from + 5).reduce((a, b) => a + b[k], 0) / 5);
    expect(track.boxes[2]).toEqual([0, 1, 2, 3].map((k) => meanOf(k, 0)));
    expect(track.boxes[5]).toEqual([0, 1, 2, 3].map((k) => meanOf(k, 1)));
    await expect(trackFaces(model, [frames[0], blank])).rejects.toThrow(/no face found in or near 1 frame \(frame 1\)/);
  });
});
