import { describe, expect, it } from 'vitest';
import { chunkGeometry, planChunks, silenceCuts } from '../../src/chunking/index.ts';
import { noise, randInt, rng } from './helpers.ts';

/** RVC's rule written out plainly (pipeline.py): reflect-pad by 80, 160-wide |x| sums, first argmin. */
function rvcCuts(audio: Float32Array, center: number, query: number): number[] {
  const window = 160;
  const half = window / 2;
  const n = audio.length;
  const pad = new Float64Array(n + window);
  for (let j = 0; j < pad.length; j++) {
    let m = j - half;
    if (m < 0) m = -m;
    if (m >= n) m = 2 * (n - 1) - m;
    pad[j] = audio[m];
  }
  const sums = new Float64Array(n);
  for (let i = 0; i < window; i++) for (let k = 0; k < n; k++) sums[k] += Math.abs(pad[k + i]);
  const cuts: number[] = [];
  for (let t = center; t < n; t += center) {
    let best = Math.max(0, t - query);
    for (let k = best; k < Math.min(n, t + query); k++) if (sums[k] < sums[best]) best = k;
    cuts.push(best);
  }
  return cuts;
}

describe('silenceCuts', () => {
  it('cuts inside the silent gap placed near each target', () => {
    const r = rng(21);
    const rate = 16000;
    const geometry = chunkGeometry({ chunkUnits: 2 * rate, searchUnits: 0.5 * rate });
    const signal = noise(r, 9 * rate);
    const gaps: [number, number][] = [];
    for (const target of [2, 4, 6, 8].map((s) => s * rate)) {
      const start = target + randInt(r, -0.45 * rate, 0.4 * rate);
      const end = start + 400; // 25 ms of near-silence: the 160-sample window fits inside
      for (let i = start; i < end; i++) signal[i] *= 1e-3;
      gaps.push([start, end]);
    }
    const cuts = silenceCuts(geometry, signal, 1);
    expect(cuts).toHaveLength(4);
    cuts.forEach((cut, i) => {
      expect(cut - 80).toBeGreaterThanOrEqual(gaps[i][0]);
      expect(cut + 80).toBeLessThanOrEqual(gaps[i][1]);
    });
    // The plan built on them still tiles the clip.
    const plan = planChunks(geometry, signal.length, cuts);
    expect(plan.map((c) => c.end)).toEqual([...cuts, signal.length]);
    expect(Math.max(...plan.map((c) => c.end - c.start))).toBeLessThanOrEqual(geometry.maxChunkUnits);
  });

  it('agrees with a plain transcription of RVC on random speech-like signals', () => {
    const r = rng(4);
    for (let trial = 0; trial < 8; trial++) {
      const n = randInt(r, 20000, 60000);
      const signal = noise(r, n);
      // Loudness that wanders, so there is a real quietest point.
      for (let i = 0; i < n; i++) signal[i] *= 0.5 + 0.5 * Math.sin(i / randInt(r, 300, 900));
      const center = randInt(r, 4000, 9000);
      const query = randInt(r, 100, Math.floor(center / 2) - 10);
      const geometry = chunkGeometry({ chunkUnits: center, searchUnits: query });
      expect(silenceCuts(geometry, signal, 1)).toEqual(rvcCuts(signal, center, query));
    }
  });

  it('keeps cuts on the granule grid and measures all channels', () => {
    const r = rng(8);
    const frames = 20000;
    const stereo = noise(r, frames * 2);
    // Silent in the right channel only around 5000, silent in both around 6200.
    for (let i = 4800; i < 5200; i++) stereo[2 * i + 1] = 0;
    for (let i = 6000; i < 6400; i++) stereo[2 * i] = stereo[2 * i + 1] = 0;
    const geometry = chunkGeometry({ chunkUnits: 5600, searchUnits: 1000, granularityUnits: 100 });
    const [cut] = silenceCuts(geometry, stereo, 2);
    expect(cut % 100).toBe(0);
    expect(cut).toBeGreaterThanOrEqual(6100);
    expect(cut).toBeLessThanOrEqual(6300);
  });
});
