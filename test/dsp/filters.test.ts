import { describe, expect, it } from 'vitest';
import { DspError } from '../../src/dsp/errors.ts';
import { butterworth, filtfilt, preEmphasis, rvcHighPass, sosFilter } from '../../src/dsp/filters.ts';
import { dB, noise, sine, toneComponent } from './signals.ts';

const RATE = 16000;

/**
 * The digital Butterworth magnitude after the bilinear transform with pre-warping:
 * |H(f)|² = 1 / (1 + (tan(πf_c/fs) / tan(πf/fs))^(2N)) for a high-pass.
 */
function highpassPowerGain(freq: number, cutoff: number, order: number): number {
  const ratio = Math.tan((Math.PI * cutoff) / RATE) / Math.tan((Math.PI * freq) / RATE);
  return 1 / (1 + ratio ** (2 * order));
}

/** Gain and phase shift of `process` on a 2 s sine at `freq`, measured over the middle second. */
function measure(process: (x: Float32Array) => Float32Array, freq: number): { gain: number; phase: number } {
  const x = sine({ freq, rate: RATE, samples: 2 * RATE, amplitude: 0.5 });
  const y = process(x);
  const got = toneComponent(y, freq, RATE, RATE / 2, (3 * RATE) / 2);
  const ref = toneComponent(x, freq, RATE, RATE / 2, (3 * RATE) / 2);
  return { gain: got.amplitude / ref.amplitude, phase: got.phase - ref.phase };
}

describe('preEmphasis', () => {
  it('computes y[n] = x[n] − c·x[n−1], continuing from a previous chunk', () => {
    const x = Float32Array.from([1, 0.5, -0.25, 0]);
    expect(Array.from(preEmphasis(x, 0.97))).toEqual(
      Array.from(Float32Array.from([1, 0.5 - 0.97, -0.25 - 0.485, 0.2425])),
    );
    const whole = preEmphasis(x, 0.97);
    const tail = preEmphasis(x.subarray(2), 0.97, x[1]);
    expect(Array.from(tail)).toEqual(Array.from(whole.subarray(2)));
  });
});

describe("RVC's high-pass (Butterworth order 5 at 48 Hz, filtfilt)", () => {
  it('attenuates 20 Hz by more than 60 dB and passes 200 Hz within 0.01 dB', () => {
    const low = measure(rvcHighPass, 20);
    const pass = measure(rvcHighPass, 200);
    expect(dB(low.gain)).toBeLessThan(-60);
    expect(Math.abs(dB(pass.gain))).toBeLessThan(0.01);
  });

  it('has the squared Butterworth magnitude at each frequency (−6.02 dB at the cutoff)', () => {
    for (const freq of [20, 30, 48, 60, 100, 1000]) {
      const want = highpassPowerGain(freq, 48, 5); // forward–backward squares |H|
      const { gain } = measure(rvcHighPass, freq);
      expect(Math.abs(dB(gain) - dB(want))).toBeLessThan(0.05);
    }
    expect(dB(measure(rvcHighPass, 48).gain)).toBeCloseTo(-6.02, 1);
  });

  it('is zero-phase: the passband output stays in phase with the input', () => {
    for (const freq of [60, 200, 3000]) expect(Math.abs(measure(rvcHighPass, freq).phase)).toBeLessThan(1e-3);
  });

  it('removes DC, and keeps length', () => {
    const x = new Float32Array(RATE).fill(0.3);
    const y = rvcHighPass(x);
    expect(y.length).toBe(x.length);
    for (const v of y) expect(Math.abs(v)).toBeLessThan(1e-6);
  });

  it('handles signals shorter than its padding', () => {
    expect(rvcHighPass(new Float32Array(0)).length).toBe(0);
    expect(rvcHighPass(Float32Array.from([0.1, 0.2, 0.3])).length).toBe(3);
  });
});

describe('butterworth', () => {
  it('builds a low-pass whose single pass gives |H|² = 1/(1 + (f/fc)^2N) in warped frequency', () => {
    const lp = butterworth({ order: 4, cutoff: 1000, sampleRate: RATE, type: 'lowpass' });
    expect(lp.sections).toBe(2);
    for (const freq of [200, 1000, 3000]) {
      const ratio = Math.tan((Math.PI * freq) / RATE) / Math.tan((Math.PI * 1000) / RATE);
      const want = Math.sqrt(1 / (1 + ratio ** 8));
      const { gain } = measure((x) => sosFilter(lp, x), freq);
      expect(gain).toBeCloseTo(want, 4);
    }
  });

  it('starts filtfilt in steady state: a constant through a low-pass stays constant', () => {
    const lp = butterworth({ order: 3, cutoff: 500, sampleRate: RATE, type: 'lowpass' });
    const y = filtfilt(lp, new Float32Array(4000).fill(0.25));
    for (const v of y) expect(v).toBeCloseTo(0.25, 6);
  });

  it('is stable on long noise (no growth)', () => {
    const y = rvcHighPass(noise(10 * RATE, 4));
    let peak = 0;
    for (const v of y) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThan(1);
  });

  it('rejects a cutoff at or above Nyquist, naming the range', () => {
    expect(() => butterworth({ order: 5, cutoff: 8000, sampleRate: RATE, type: 'highpass' })).toThrow(DspError);
    expect(() => butterworth({ order: 5, cutoff: 8000, sampleRate: RATE, type: 'highpass' })).toThrow(
      /cutoff = 8000.*8000/,
    );
  });
});
