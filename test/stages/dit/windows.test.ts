/**
 * Windows of a long video: where they fall, and how their packets cover the clip — every latent
 * frame once, in order, each seam blended from the earlier window to the later one.
 */
import { describe, expect, it } from 'vitest';
import { emittedRange, latentWindows, seamWeights, windowPacket } from '../../../stages/dit/windows.ts';

describe('latent windows', () => {
  it('30 s at 8 fps (61 latent frames) in windows of 13 overlapping by 4: the last one ends at the clip end', () => {
    const windows = latentWindows(61, 13, 4);
    expect(windows.map((w) => w.start)).toEqual([0, 9, 18, 27, 36, 45, 48]);
    expect(windows.map((w) => w.overlap)).toEqual([0, 4, 4, 4, 4, 4, 10]);
    expect(windows.every((w) => w.count === 13)).toBe(true);
    for (let k = 1; k < windows.length; k++)
      expect(windows[k].overlap).toBe(windows[k - 1].start + windows[k - 1].count - windows[k].start);
  });

  it('a clip no longer than the window is one window, as before', () => {
    expect(latentWindows(5, 13, 4)).toEqual([{ start: 0, count: 5, overlap: 0 }]);
    expect(latentWindows(13, 13, 4)).toEqual([{ start: 0, count: 13, overlap: 0 }]);
  });

  it('refuses an overlap as long as the window', () => {
    expect(() => latentWindows(30, 13, 13)).toThrow(/overlapLatentFrames must be in 1\.\.12/);
  });
});

describe('window packets', () => {
  /** Frames of one value each: window k's frame j holds 100·k + (its clip frame). */
  const own = (start: number, count: number, k: number) =>
    Float32Array.from({ length: count }, (_, j) => 100 * k + start + j);

  it('cover every latent frame once, in order; a seam ramps from the earlier window to the later', () => {
    for (const [total, window, overlap] of [
      [61, 13, 4],
      [14, 13, 4], // the last window overlaps all but one frame
      [20, 8, 3],
    ]) {
      const windows = latentWindows(total, window, overlap);
      const out: number[] = [];
      let held: Float32Array | undefined;
      for (const [k, w] of windows.entries()) {
        const packet = windowPacket(windows, k, own(w.start, w.count, k), held, 1);
        const range = emittedRange(windows, k);
        expect(packet.frames.length).toBe(range.end - range.start);
        expect(range.start).toBe(out.length);
        out.push(...packet.frames);
        held = packet.held;
      }
      expect(out.length).toBe(total);
      // Frame i of the clip: 100·(a blend of window indices) + i; the blend never goes back.
      const source = out.map((v, i) => (v - i) / 100);
      for (let i = 1; i < total; i++) expect(source[i]).toBeGreaterThanOrEqual(source[i - 1] - 1e-4);
      expect(source[0]).toBe(0);
      expect(source[total - 1]).toBeCloseTo(windows.length - 1, 4);
    }
  });

  it('blends a seam of 4 frames with weights 1/5 … 4/5 of the later window', () => {
    expect([...seamWeights(4)]).toEqual([0.2, 0.4, 0.6, 0.8]);
    const windows = latentWindows(20, 10, 4); // starts 0, 6, 10
    const first = windowPacket(windows, 0, new Float32Array(10).fill(1), undefined, 1);
    expect([...first.frames]).toEqual(new Array(6).fill(1));
    const second = windowPacket(windows, 1, new Float32Array(10).fill(2), first.held, 1);
    expect([...second.frames].map((v) => Math.round(v * 100) / 100)).toEqual([1.2, 1.4, 1.6, 1.8]);
  });
});
