/**
 * Face tracking from detections (track.ts), without a model: chunk by chunk with neighbours gives
 * the boxes of a whole-clip run for any stride, hold and smoothing; with every face found it is
 * Wav2Lip's own smoothing; missed faces are bridged within the hold and fall back past it.
 */
import { describe, expect, it } from 'vitest';
import { type Box, smoothBoxes } from '../../../stages/shared/face-boxes.ts';
import { detectionFrames, type TrackOptions, trackReach, trackSpan } from '../../../stages/face-detect/track.ts';

/** A drifting face, missed in a few runs of frames (one long), seeded. */
function detections(total: number): Map<number, Box | undefined> {
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const found = new Map<number, Box | undefined>();
  let x = 100,
    y = 80;
  for (let g = 0; g < total; g++) {
    x += Math.round(4 * (rnd() - 0.5));
    y += Math.round(4 * (rnd() - 0.5));
    const missed = (g >= 20 && g < 23) || (g >= 60 && g < 90) || rnd() < 0.05;
    found.set(g, missed ? undefined : [x, y, x + 60 + (g % 3), y + 80]);
  }
  return found;
}

const whole = (total: number, found: Map<number, Box | undefined>, o: TrackOptions) =>
  trackSpan({ first: 0, end: total, availableFirst: 0, availableEnd: total, total }, found, o);

/** Chunk by chunk on a grid of `size` frames, each with one neighbour chunk each side. */
function chunked(total: number, size: number, found: Map<number, Box | undefined>, o: TrackOptions) {
  const boxes: Box[] = [];
  const missing: number[] = [];
  const chunks = Math.ceil(total / size);
  for (let k = 0; k < chunks; k++) {
    const span = {
      first: k * size,
      end: Math.min(total, (k + 1) * size),
      availableFirst: Math.max(0, (k - 1) * size),
      availableEnd: Math.min(total, (k + 2) * size),
      // The end is known only once the last chunk is at hand.
      total: (k + 2) * size >= total ? total : undefined,
    };
    // Only what detection frames the chunk asks for are given.
    const asked = new Map(detectionFrames(span, o).map((g) => [g, found.get(g)]));
    const r = trackSpan(span, asked, o);
    boxes.push(...r.boxes);
    missing.push(...r.missing);
  }
  return { boxes, missing };
}

describe('face tracking across chunks', () => {
  const total = 130;
  const found = detections(total);

  it('gives the whole-clip boxes chunk by chunk, for every stride, hold and smoothing', () => {
    for (const detectEvery of [1, 2, 5])
      for (const holdFrames of [0, 4, 12])
        for (const smoothFrames of [1, 5, 9]) {
          const o = { detectEvery, holdFrames, smoothFrames, fallback: [1, 2, 3, 4] as Box };
          const reference = whole(total, found, o);
          const size = Math.max(trackReach(o), 17);
          expect(
            chunked(total, size, found, o),
            JSON.stringify({ detectEvery, holdFrames, smoothFrames, size }),
          ).toEqual(reference);
        }
  });

  it("is Wav2Lip's smoothing when every face is found on every frame", () => {
    const all = new Map([...found].map(([g, b]) => [g, b ?? ([50, 50, 110, 130] as Box)]));
    const o = { detectEvery: 1, holdFrames: 0, smoothFrames: 5, fallback: null };
    expect(whole(total, all, o).boxes).toEqual(smoothBoxes([...all.values()] as Box[], 5));
  });

  it('bridges a missed face within the hold, interpolating; past it, the fallback box', () => {
    const o = { detectEvery: 1, holdFrames: 4, smoothFrames: 1, fallback: [1, 2, 3, 4] as Box };
    const { boxes, missing } = whole(total, found, o);
    // Frames 20–22 are missed between found 19 and 23: a straight line between those boxes.
    const a = found.get(19)!,
      b = found.get(23)!;
    expect(boxes[21]).toEqual(a.map((v, k) => Math.round(v + 0.5 * (b[k] - v))));
    // 60–89 are missed for 30 frames: 4 each side are held from 59 and 90, the rest fall back.
    expect(boxes[62]).toEqual(found.get(59));
    expect(boxes[87]).toEqual(found.get(90));
    expect(boxes[70]).toEqual([1, 2, 3, 4]);
    expect(missing.filter((g) => g >= 60 && g < 90)).toEqual(Array.from({ length: 22 }, (_, i) => 64 + i));
    // Without a fallback box, the long gap is an error naming its frames.
    expect(() => whole(total, found, { ...o, fallback: null })).toThrow(
      /no face found in or near \d+ frames \(frames 64, 65, .*\); set the face-detect option "box"/,
    );
  });

  it('refuses a chunk whose neighbours are too short for the smoothing and hold', () => {
    const o = { detectEvery: 1, holdFrames: 12, smoothFrames: 9, fallback: null };
    expect(() => trackSpan({ first: 10, end: 20, availableFirst: 0, availableEnd: 30 }, new Map(), o)).toThrow(
      /depend on frames 0–39 .* but only 0–29 are at hand: make chunking.seconds longer/,
    );
  });
});
