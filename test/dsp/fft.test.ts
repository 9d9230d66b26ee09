import { describe, expect, it } from 'vitest';
import { ComplexFft } from '../../src/dsp/fft.ts';
import { RealFft } from '../../src/dsp/real-fft.ts';
import { DspError } from '../../src/dsp/errors.ts';
import { noise } from './signals.ts';

/** The definition, O(n²): X[k] = Σ x[j]·e^(−2πijk/n). */
function naiveDft(re: ArrayLike<number>, im: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
  const n = re.length;
  const outRe = new Float64Array(n),
    outIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      outRe[k] += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      outIm[k] += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
  }
  return { re: outRe, im: outIm };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>, n = a.length): number => {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('ComplexFft', () => {
  // Powers of two, Wav2Lip's 800 = 2⁵·5², odd primes, a large prime factor (97).
  it.each([1, 2, 3, 8, 12, 30, 49, 194, 400, 800, 1024])('matches the DFT definition at n = %i', (n) => {
    const re = Float64Array.from(noise(n, n)),
      im = Float64Array.from(noise(n, n + 7));
    const want = naiveDft(re, im);
    const fft = new ComplexFft(n);
    const gotRe = re.slice(),
      gotIm = im.slice();
    fft.forward(gotRe, gotIm);
    expect(maxDiff(gotRe, want.re)).toBeLessThan(1e-10);
    expect(maxDiff(gotIm, want.im)).toBeLessThan(1e-10);
    fft.inverse(gotRe, gotIm);
    expect(maxDiff(gotRe, re)).toBeLessThan(1e-13);
    expect(maxDiff(gotIm, im)).toBeLessThan(1e-13);
  });

  it('rejects arrays of the wrong length', () => {
    expect(() => new ComplexFft(8).forward(new Float64Array(4), new Float64Array(4))).toThrow(DspError);
  });
});

describe('RealFft', () => {
  it.each([2, 8, 30, 800, 1024])('gives the first n/2+1 DFT bins of a real signal and inverts, n = %i', (n) => {
    const x = Float64Array.from(noise(n, 3 * n));
    const want = naiveDft(x, new Float64Array(n));
    const fft = new RealFft(n);
    const re = new Float64Array(fft.bins),
      im = new Float64Array(fft.bins);
    fft.forward(x, re, im);
    expect(maxDiff(re, want.re, fft.bins)).toBeLessThan(1e-10);
    expect(maxDiff(im, want.im, fft.bins)).toBeLessThan(1e-10);
    const back = new Float64Array(n);
    fft.inverse(re, im, back);
    expect(maxDiff(back, x)).toBeLessThan(1e-13);
  });

  it('refuses odd sizes with the value in the message', () => {
    expect(() => new RealFft(801)).toThrow(/801/);
  });
});
