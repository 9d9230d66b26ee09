import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.ts';
import { chunkGeometry, planChunks } from '../../src/chunking/index.ts';
import { concatAll, maxAbsDiff, noise, randInt, rng } from './helpers.ts';

describe('planChunks', () => {
  it('tiles any length exactly, cutting on the granule grid', () => {
    const r = rng(7);
    for (let trial = 0; trial < 400; trial++) {
      const g = [1, 1, 2, 160, 256][randInt(r, 0, 4)];
      const chunkGranules = randInt(r, 1, 40);
      const geometry = chunkGeometry({ chunkUnits: chunkGranules * g - randInt(r, 0, g - 1), granularityUnits: g });
      expect(geometry.chunkUnits).toBe(chunkGranules * g); // rounded up to the grid
      const total = randInt(r, 0, 300 * g);
      const plan = planChunks(geometry, total);
      let next = 0;
      for (const [i, c] of plan.entries()) {
        expect(c.index).toBe(i);
        expect(c.start).toBe(next); // no gap, no overlap
        expect(c.end).toBeGreaterThan(c.start);
        expect(c.end - c.start).toBeLessThanOrEqual(geometry.chunkUnits);
        expect(c.last).toBe(i === plan.length - 1);
        if (!c.last) expect(c.end % g).toBe(0);
        next = c.end;
      }
      expect(next).toBe(total);
    }
  });

  it('turns a 37.3 s clip at 16 kHz into exactly 596800 samples for 1 s, 3.7 s and 10 s chunks', () => {
    const rate = 16000;
    const signal = noise(rng(1), Math.round(37.3 * rate));
    expect(signal.length).toBe(596800);
    for (const seconds of [1, 3.7, 10]) {
      const geometry = chunkGeometry({ chunkUnits: Math.round(seconds * rate), granularityUnits: 160 });
      const plan = planChunks(geometry, signal.length);
      const joined = concatAll(plan.map((c) => signal.subarray(c.start, c.end)));
      expect(joined.length).toBe(596800);
      expect(maxAbsDiff(joined, signal)).toBe(0);
    }
  });

  it('rejects geometries and cuts that cannot work, naming the setting', () => {
    expect(() => chunkGeometry({ chunkUnits: 0 })).toThrow(/chunkUnits must be an integer ≥ 1/);
    expect(() => chunkGeometry({ chunkUnits: 100, searchUnits: 1.5 })).toThrow(ConfigError);
    expect(() => chunkGeometry({ chunkUnits: 100, searchUnits: 50, granularityUnits: 10 })).toThrow(/as short as 0/);
    const geometry = chunkGeometry({ chunkUnits: 10, granularityUnits: 5 });
    expect(() => planChunks(geometry, 30, [10, 12])).toThrow(/multiples of 5/);
    expect(() => planChunks(geometry, 30, [20, 10])).toThrow(/increasing/);
    expect(() => planChunks(geometry, 2.5)).toThrow(/whole number/);
  });
});
