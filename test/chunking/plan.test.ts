import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { chunkGeometry, chunkGeometryFromSpec, planChunks } from '../../src/chunking/index.ts';
import { chunkStageStitch, maxAbsDiff, noise, randInt, rng } from './helpers.ts';

describe('planChunks', () => {
  it('tiles any length exactly, with fixed-shape windows that hold each chunk and its context', () => {
    const r = rng(7);
    for (let trial = 0; trial < 400; trial++) {
      const g = [1, 1, 2, 160, 256][randInt(r, 0, 4)];
      const chunkGranules = randInt(r, 1, 40);
      const geometry = chunkGeometry({
        chunkUnits: chunkGranules * g - randInt(r, 0, g - 1),
        overlapUnits: randInt(r, 0, Math.min(3, chunkGranules)) * g,
        contextBeforeUnits: randInt(r, 0, 50 * g),
        contextAfterUnits: randInt(r, 0, 50 * g),
        granularityUnits: g,
        fixedShape: r() < 0.8,
      });
      const total = randInt(r, 0, 300 * g);
      const plan = planChunks(geometry, total);
      const { windowUnits: w, contextBeforeUnits: before, contextAfterUnits: after, overlapUnits: overlap } = geometry;

      let next = 0;
      for (const [i, c] of plan.entries()) {
        expect(c.index).toBe(i);
        expect(c.ownedStart).toBe(next); // no gap, no overlap
        expect(c.ownedEnd).toBeGreaterThan(c.ownedStart);
        expect(c.last).toBe(i === plan.length - 1);
        if (!c.last) expect(c.ownedEnd % g).toBe(0);
        // The window holds the owned range plus all the context the clip has around it.
        expect(c.windowStart).toBeLessThanOrEqual(Math.max(0, c.ownedStart - before));
        expect(c.readEnd).toBeGreaterThanOrEqual(Math.min(total, c.ownedEnd + overlap + after));
        expect(c.windowStart % g).toBe(0);
        expect(c.readStart).toBe(c.windowStart);
        expect(c.readEnd).toBeLessThanOrEqual(total);
        expect(c.contextBefore + (c.ownedEnd - c.ownedStart) + c.contextAfter).toBe(c.windowEnd - c.windowStart);
        if (geometry.fixedShape) {
          expect(c.windowEnd - c.windowStart).toBe(w);
          // Zeros only where the clip is shorter than a window, or to finish the last granule.
          if (c.padAfter > 0) expect(total < w || c.padAfter < g).toBe(true);
        } else {
          expect(c.padAfter).toBe(0);
        }
        next = c.ownedEnd;
      }
      expect(next).toBe(total);
    }
  });

  it('turns a 37.3 s clip at 16 kHz into exactly 596800 samples for 1 s, 3.7 s and 10 s chunks', async () => {
    const rate = 16000;
    const signal = noise(rng(1), Math.round(37.3 * rate));
    expect(signal.length).toBe(596800);
    for (const seconds of [1, 3.7, 10]) {
      const geometry = chunkGeometryFromSpec({
        unitsPerSecond: rate,
        chunking: { seconds, overlapSeconds: 0.05, silenceSearchSeconds: 0 },
        contexts: [{ beforeSeconds: 0.2, afterSeconds: 0.2, granularitySeconds: 0.01 }],
      });
      const plan = planChunks(geometry, signal.length);
      expect(plan.reduce((n, c) => n + c.ownedEnd - c.ownedStart, 0)).toBe(596800);
      expect(new Set(plan.map((c) => c.windowEnd - c.windowStart)).size).toBe(1); // one engine shape
      const { output } = await chunkStageStitch({ signal, geometry, sampleRate: rate, stage: (w) => w });
      expect(output.length).toBe(596800);
      expect(maxAbsDiff(output, signal)).toBe(0); // identity stage: exact, seams included
    }
  });

  it('converts the chunking block and stage contexts to units', () => {
    const geometry = chunkGeometryFromSpec({
      unitsPerSecond: 16000,
      chunking: { seconds: 2.001, overlapSeconds: 0.05, silenceSearchSeconds: 0.3 },
      contexts: [
        { beforeSeconds: 0.2, afterSeconds: 0.1, granularitySeconds: 320 / 16000 },
        { beforeSeconds: 0.05, afterSeconds: 0, granularitySeconds: 0.01 },
      ],
    });
    expect(geometry.granularityUnits).toBe(320); // lcm(320, 160)
    expect(geometry.chunkUnits).toBe(32320); // 32016 rounded up to a multiple of 320
    expect(geometry.overlapUnits).toBe(960); // 800 → 960
    expect(geometry.contextBeforeUnits).toBe(4160); // 0.25 s = 4000 → 4160
    expect(geometry.contextAfterUnits).toBe(1600);
    expect(geometry.searchUnits).toBe(4800);
    expect(geometry.silenceWindowUnits).toBe(160); // RVC's 10 ms
    expect(geometry.windowUnits).toBe(4160 + 32320 + 2 * 4800 + 960 + 1600);
  });

  it('rejects geometries that cannot work, naming the setting', () => {
    expect(() => chunkGeometry({ chunkUnits: 0 })).toThrow(/chunkUnits must be an integer ≥ 1/);
    expect(() => chunkGeometry({ chunkUnits: 100, overlapUnits: 1.5 })).toThrow(ConfigError);
    expect(() => chunkGeometry({ chunkUnits: 100, searchUnits: 40, overlapUnits: 30 })).toThrow(/as short as 20/);
    expect(() =>
      chunkGeometryFromSpec({
        unitsPerSecond: 16000,
        chunking: { seconds: 10, overlapSeconds: 0, silenceSearchSeconds: 0 },
        contexts: [{ beforeSeconds: 0, afterSeconds: 0, wholeClip: true }],
      }),
    ).toThrow(/whole clip/);
    const geometry = chunkGeometry({ chunkUnits: 10, granularityUnits: 5 });
    expect(() => planChunks(geometry, 30, [10, 12])).toThrow(/multiples of 5/);
    expect(() => planChunks(geometry, 30, [20, 10])).toThrow(/increasing/);
  });
});
