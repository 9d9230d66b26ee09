import { describe, expect, it } from 'vitest';
import { coarsePitch, rvcMel, transposeF0 } from '../../src/dsp/coarse-pitch.ts';
import { YinPitchTracker, yinF0 } from '../../src/dsp/f0.ts';
import { harmonicTone, noise, sine } from './signals.ts';

const RATE = 16000;

/** Largest relative error over frames 3 … T−4 (the first and last frames straddle the signal's ends). */
function interiorError(f0: Float32Array, want: number): number {
  let worst = 0;
  for (let t = 3; t < f0.length - 3; t++) worst = Math.max(worst, Math.abs(f0[t] / want - 1));
  return worst;
}

describe('YIN F0 at 16 kHz, hop 160', () => {
  it('frames the signal like RVC: ⌊n/160⌋ + 1 frames (100 per second)', () => {
    const yin = new YinPitchTracker();
    expect([16000, 16159, 16160, 1].map((n) => yin.frameCount(n))).toEqual([101, 101, 102, 1]);
    expect(yinF0(new Float32Array(8000)).length).toBe(51);
  });

  it.each([50, 55, 110, 220, 440, 880, 1050, 1100])('tracks a %i Hz sine within 1 %', (freq) => {
    const f0 = yinF0(sine({ freq, rate: RATE, samples: RATE / 2 }));
    expect(interiorError(f0, freq)).toBeLessThan(0.01);
  });

  it.each([80, 150, 300])('tracks a harmonic tone at %i Hz without octave errors', (freq) => {
    const f0 = yinF0(harmonicTone(freq, RATE, RATE / 2));
    expect(interiorError(f0, freq)).toBeLessThan(0.01);
  });

  it('follows a pitch step between frames', () => {
    const x = new Float32Array(RATE);
    x.set(sine({ freq: 200, rate: RATE, samples: RATE / 2 }));
    x.set(sine({ freq: 300, rate: RATE, samples: RATE / 2 }), RATE / 2);
    const f0 = yinF0(x);
    expect(f0[20] / 200).toBeCloseTo(1, 2);
    expect(f0[80] / 300).toBeCloseTo(1, 2);
  });

  it('marks silence and white noise unvoiced (0)', () => {
    expect(yinF0(new Float32Array(RATE)).every((v) => v === 0)).toBe(true);
    const f0 = yinF0(noise(RATE, 11));
    const voiced = f0.filter((v) => v > 0).length;
    expect(voiced / f0.length).toBeLessThan(0.05);
  });

  it('respects another rate and hop (22.05 kHz, hop 256)', () => {
    const f0 = yinF0(sine({ freq: 180, rate: 22050, samples: 22050 }), { sampleRate: 22050, hop: 256 });
    expect(f0.length).toBe(Math.floor(22050 / 256) + 1);
    expect(interiorError(f0, 180)).toBeLessThan(0.01);
  });

  it('rejects fmax ≤ fmin, naming both', () => {
    expect(() => new YinPitchTracker({ fmin: 300, fmax: 200 })).toThrow(/fmax = 200.*fmin = 300/);
  });
});

describe("RVC's coarse pitch", () => {
  it('maps 50 Hz → 1, 1100 Hz → 255, unvoiced (0 Hz) → 1, and clips outside the range', () => {
    expect(Array.from(coarsePitch(Float32Array.from([50, 1100, 0, 20, 49, 1500, 5000])))).toEqual([
      1, 255, 1, 1, 1, 255, 255,
    ]);
  });

  it('follows (m − m_min)·254/(m_max − m_min) + 1 on the mel scale 1127·ln(1 + f/700)', () => {
    expect(rvcMel(700)).toBeCloseTo(1127 * Math.LN2, 10);
    const mMin = 1127 * Math.log(1 + 50 / 700),
      mMax = 1127 * Math.log(1 + 1100 / 700);
    for (const hz of [60, 100, 200, 440, 700, 1000]) {
      const want = Math.round(((1127 * Math.log(1 + hz / 700) - mMin) * 254) / (mMax - mMin) + 1);
      expect(coarsePitch(Float32Array.from([hz]))[0]).toBe(want);
    }
  });

  it('is non-decreasing in F0 and uses every bin 1 … 255 over a fine sweep', () => {
    const sweep = Float32Array.from({ length: 20000 }, (_, i) => 50 + (1050 * i) / 19999);
    const coarse = coarsePitch(sweep);
    for (let i = 1; i < coarse.length; i++) expect(coarse[i]).toBeGreaterThanOrEqual(coarse[i - 1]);
    expect(new Set(coarse).size).toBe(255);
  });

  it('transposes by 2^(key/12) and keeps unvoiced frames at 0', () => {
    const shifted = transposeF0(Float32Array.from([220, 0, 100]), 12);
    expect(Array.from(shifted)).toEqual([440, 0, 200]);
    expect(transposeF0(Float32Array.from([440]), -3)[0]).toBeCloseTo(440 * 2 ** (-3 / 12), 3);
  });
});
