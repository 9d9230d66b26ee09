import { describe, expect, it } from 'vitest';
import { axisBlendWeights, planTileAxis } from '../../../stages/vae/spatial-tiles.ts';

describe('spatial tile plan', () => {
  it('reproduces diffusers geometry for the CogVideoX defaults (30 × 45 latents, overlap 1/6 × 1/5)', () => {
    const rows = planTileAxis(60, 30, 1 / 6);
    expect(rows.starts).toEqual([0, 25, 50]);
    expect(rows.overlap * 8).toBe(40); // diffusers: int(240 · 1/6)
    const columns = planTileAxis(90, 45, 1 / 5);
    expect(columns.starts).toEqual([0, 36, 72]);
    expect(columns.overlap * 8).toBe(72); // diffusers: int(360 · 1/5)
  });

  it('uses one tile when the axis fits and starts no tile once the edge is reached', () => {
    expect(planTileAxis(30, 30, 1 / 6).starts).toEqual([0]);
    expect(planTileAxis(55, 30, 1 / 6).starts).toEqual([0, 25]); // diffusers would add a sliver at 50
  });

  it('has blend weights that sum to 1 at every pixel and cover it with at most two tiles', () => {
    for (const length of [7, 30, 31, 55, 56, 60, 61, 90, 119]) {
      for (const [tile, fraction] of [
        [30, 1 / 6],
        [45, 1 / 5],
        [12, 0.5],
        [3, 0.5],
        [8, 0],
        [16, 0.25],
      ] as const) {
        const axis = planTileAxis(length, tile, fraction);
        const weights = axisBlendWeights(axis, 8);
        const sum = new Float64Array(length * 8);
        const cover = new Uint8Array(length * 8);
        axis.starts.forEach((start, k) => {
          expect(weights[k].length).toBe(axis.sizes[k] * 8);
          expect(Math.min(...weights[k])).toBeGreaterThanOrEqual(0);
          weights[k].forEach((w, y) => {
            sum[start * 8 + y] += w;
            if (w > 0) cover[start * 8 + y]++;
          });
        });
        expect(axis.starts[axis.starts.length - 1] + axis.sizes[axis.sizes.length - 1]).toBe(length);
        const worst = sum.reduce((m, v) => Math.max(m, Math.abs(v - 1)), 0);
        expect(worst, `length ${length}, tile ${tile}, overlap ${fraction}`).toBeLessThan(1e-6);
        expect(Math.max(...cover)).toBeLessThanOrEqual(2);
      }
    }
  });
});
