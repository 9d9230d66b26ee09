import { describe, expect, it } from 'vitest';
import { blend, crossfade, crossfadeGains, fadePosition } from '../../src/dsp/crossfade.ts';
import { DspError } from '../../src/dsp/errors.ts';
import { noise } from './signals.ts';

describe('crossfade gains', () => {
  it('equal-power: g_out² + g_in² = 1 at every position', () => {
    const { fadeOut, fadeIn } = crossfadeGains('equal-power', 480);
    for (let i = 0; i < 480; i++) expect(fadeOut[i] ** 2 + fadeIn[i] ** 2).toBeCloseTo(1, 6);
  });

  it('linear: g_out + g_in = 1 at every position', () => {
    const { fadeOut, fadeIn } = crossfadeGains('linear', 7);
    for (let i = 0; i < 7; i++) expect(fadeOut[i] + fadeIn[i]).toBeCloseTo(1, 6);
  });

  it('fades monotonically, mirror-symmetric, never exactly 0 or 1', () => {
    for (const curve of ['equal-power', 'linear'] as const) {
      const { fadeOut, fadeIn } = crossfadeGains(curve, 64);
      for (let i = 0; i < 64; i++) {
        expect(fadeIn[i]).toBeCloseTo(fadeOut[63 - i], 6);
        expect(fadeIn[i]).toBeGreaterThan(0);
        expect(fadeIn[i]).toBeLessThan(1);
        if (i > 0) expect(fadeIn[i]).toBeGreaterThan(fadeIn[i - 1]);
      }
    }
    expect(fadePosition(0, 4)).toBe(0.125);
  });
});

describe('crossfade', () => {
  it('linear: two identical renderings blend back to the same signal', () => {
    const a = noise(1000, 1);
    const y = crossfade(a, a.slice(), 'linear');
    for (let i = 0; i < a.length; i++) expect(y[i]).toBeCloseTo(a[i], 6);
  });

  it('equal-power: keeps the power of uncorrelated signals constant across the fade', () => {
    const a = noise(48000, 2), b = noise(48000, 3);
    const y = crossfade(a, b, 'equal-power');
    const power = (x: Float32Array, from: number, to: number): number => {
      let p = 0;
      for (let i = from; i < to; i++) p += x[i] * x[i];
      return p / (to - from);
    };
    const reference = power(a, 0, a.length);
    for (const from of [0, 16000, 32000]) expect(power(y, from, from + 16000) / reference).toBeCloseTo(1, 1);
  });

  it('goes from the outgoing to the incoming signal and can write in place', () => {
    const out = new Float32Array(100).fill(1);
    const into = new Float32Array(100).fill(-1);
    const y = crossfade(out, into, 'linear', out);
    expect(y).toBe(out);
    expect(y[0]).toBeCloseTo(0.99, 6);
    expect(y[99]).toBeCloseTo(-0.99, 6);
  });

  it('rejects overlaps of different lengths, naming both', () => {
    expect(() => crossfade(new Float32Array(10), new Float32Array(9), 'linear')).toThrow(DspError);
    expect(() => crossfade(new Float32Array(10), new Float32Array(9), 'linear')).toThrow(/10.*9/);
  });
});

describe('blend', () => {
  it('mixes whole frames with one weight', () => {
    const a = new Float32Array(12).fill(2), b = new Float32Array(12).fill(6);
    expect(Array.from(blend(a, b, 0.25))).toEqual(new Array(12).fill(3));
    expect(blend(a, b, 0.5, 'equal-power')[0]).toBeCloseTo(8 * Math.SQRT1_2, 5);
  });

  it('rejects weights outside [0, 1]', () => {
    expect(() => blend(new Float32Array(1), new Float32Array(1), 1.5)).toThrow(/1.5/);
  });
});
