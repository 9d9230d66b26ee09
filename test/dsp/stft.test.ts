import { describe, expect, it } from 'vitest';
import { DspError } from '../../src/dsp/errors.ts';
import { hzToMel, melFilterbank, melToHz } from '../../src/dsp/mel-filterbank.ts';
import { StftPlan, reflectIndex } from '../../src/dsp/stft.ts';
import { noise, sine } from './signals.ts';

/** |Σ_j w[j]·x[j]·e^(−2πijk/n)| straight from the definition, periodic Hann. */
function naiveFrameMagnitude(frame: ArrayLike<number>, k: number): number {
  const n = frame.length;
  let re = 0,
    im = 0;
  for (let j = 0; j < n; j++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * j) / n);
    re += w * frame[j] * Math.cos((2 * Math.PI * j * k) / n);
    im -= w * frame[j] * Math.sin((2 * Math.PI * j * k) / n);
  }
  return Math.hypot(re, im);
}

describe('reflectIndex', () => {
  it("mirrors like numpy.pad(mode='reflect') without repeating the edge", () => {
    // numpy.pad([0,1,2,3,4], 3, 'reflect') = [3,2,1, 0,1,2,3,4, 3,2,1]
    expect([-3, -2, -1, 0, 4, 5, 6, 7].map((i) => reflectIndex(i, 5))).toEqual([3, 2, 1, 0, 4, 3, 2, 1]);
  });
});

describe('StftPlan', () => {
  it('counts centred frames as 1 + ⌊n/hop⌋ and uncentred as 1 + ⌊(n − nFft)/hop⌋', () => {
    const centred = new StftPlan({ nFft: 800, hop: 200 });
    expect([16000, 16199, 16200, 1].map((n) => centred.frameCount(n))).toEqual([81, 81, 82, 1]);
    const plain = new StftPlan({ nFft: 800, hop: 200, center: false });
    expect([799, 800, 1000, 16000].map((n) => plain.frameCount(n))).toEqual([0, 1, 2, 77]);
  });

  it('computes interior and edge frames from the definition (reflect and constant padding)', () => {
    const x = noise(3000, 5);
    for (const padMode of ['reflect', 'constant'] as const) {
      const plan = new StftPlan({ nFft: 800, hop: 200, padMode });
      const mag = new Float64Array(plan.bins);
      for (const t of [0, 7, plan.frameCount(x.length) - 1]) {
        plan.magnitudeFrame(x, t, mag);
        const frame = Array.from({ length: 800 }, (_, i) => {
          const j = t * 200 - 400 + i;
          if (j >= 0 && j < x.length) return x[j];
          return padMode === 'constant' ? 0 : x[reflectIndex(j, x.length)];
        });
        for (const k of [0, 1, 37, 400]) expect(mag[k]).toBeCloseTo(naiveFrameMagnitude(frame, k), 9);
      }
    }
  });

  it('puts a bin-centred sine in its bin with amplitude A·n/4 (periodic Hann)', () => {
    const plan = new StftPlan({ nFft: 1024, hop: 256 });
    const x = sine({ freq: (100 * 22050) / 1024, rate: 22050, samples: 22050, amplitude: 0.5 });
    const spec = plan.magnitude(x);
    const t = 40;
    const row = spec.data.subarray(t * spec.bins, (t + 1) * spec.bins);
    expect(row[100]).toBeCloseTo((0.5 * 1024) / 4, 3);
    expect(row[110] / row[100]).toBeLessThan(1e-4);
  });

  it('rejects a window longer than nFft, naming both', () => {
    expect(() => new StftPlan({ nFft: 512, hop: 128, winLength: 600 })).toThrow(DspError);
    expect(() => new StftPlan({ nFft: 512, hop: 128, winLength: 600 })).toThrow(/600.*512/);
  });
});

describe('mel scale', () => {
  it("is Slaney's: linear 200/3 Hz per mel to 1 kHz, logarithmic above, and invertible", () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(hzToMel(200 / 3)).toBeCloseTo(1, 12);
    expect(hzToMel(6400)).toBeCloseTo(15 + 27, 12); // 27 mels per factor 6.4
    for (const hz of [0, 55, 999, 1000, 4321, 7600]) expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 9);
    expect(hzToMel(700, true)).toBeCloseTo(2595 * Math.log10(2), 12);
  });

  it('peaks at 1 without norm, and has unit area over Hz with slaney norm', () => {
    const options = { sampleRate: 16000, nFft: 8192, nMels: 20, fmin: 55, fmax: 7600 };
    const peak = melFilterbank({ ...options, norm: null });
    const slaney = melFilterbank(options);
    const binHz = 16000 / 8192;
    for (let m = 0; m < 20; m++) {
      const row = peak.weights.subarray(m * peak.bins, (m + 1) * peak.bins);
      expect(Math.max(...row)).toBeGreaterThan(0.95);
      expect(Math.max(...row)).toBeLessThanOrEqual(1);
      const area = slaney.weights.subarray(m * slaney.bins, (m + 1) * slaney.bins).reduce((a, w) => a + w * binHz, 0);
      expect(area).toBeCloseTo(1, 2);
    }
  });
});
