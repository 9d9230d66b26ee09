/** Real-input FFT (STFT frames, YIN's correlations). */
import { isPositiveInteger, requireParam } from './errors.ts';
import { ComplexFft } from './fft.ts';

/**
 * FFT of real signals of even length n through one complex FFT of length n/2 (even samples as
 * real parts, odd as imaginary parts, then untangled), which halves the work.
 * The spectrum has n/2 + 1 bins (0 … Nyquist).
 */
export class RealFft {
  /** Transform length, samples (even). */
  readonly size: number;
  /** Number of spectrum bins, size/2 + 1. */
  readonly bins: number;
  private readonly half: ComplexFft;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    requireParam('real FFT size', size, (v) => isPositiveInteger(v) && v % 2 === 0, 'a positive even integer');
    this.size = size;
    this.bins = size / 2 + 1;
    this.half = new ComplexFft(size / 2);
    this.zRe = new Float64Array(size / 2);
    this.zIm = new Float64Array(size / 2);
    this.cos = new Float64Array(this.bins);
    this.sin = new Float64Array(this.bins);
    for (let k = 0; k < this.bins; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  /** Spectrum of `x` (length size) into outRe/outIm (length bins). */
  forward(x: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const h = this.size / 2;
    const { zRe, zIm, cos, sin } = this;
    for (let k = 0; k < h; k++) {
      zRe[k] = x[2 * k];
      zIm[k] = x[2 * k + 1];
    }
    this.half.forward(zRe, zIm);
    for (let k = 0; k <= h; k++) {
      const a = k === h ? 0 : k;
      const b = k === 0 ? 0 : h - k;
      const zr = zRe[a],
        zi = zIm[a],
        cr = zRe[b],
        ci = -zIm[b]; // Z[k], conj(Z[h−k])
      const er = (zr + cr) / 2,
        ei = (zi + ci) / 2;
      // (Z[k] − conj(Z[h−k])) / 2i
      const or = (zi - ci) / 2,
        oi = -(zr - cr) / 2;
      const wr = cos[k],
        wi = -sin[k];
      outRe[k] = er + or * wr - oi * wi;
      outIm[k] = ei + or * wi + oi * wr;
    }
  }

  /** Magnitudes |X[k]| of the spectrum of `x` into `out` (length bins); re/im are scratch. */
  magnitude(x: ArrayLike<number>, out: Float64Array, re: Float64Array, im: Float64Array): void {
    this.forward(x, re, im);
    for (let k = 0; k < this.bins; k++) out[k] = Math.sqrt(re[k] * re[k] + im[k] * im[k]);
  }

  /** Real signal (length size) whose spectrum is re/im (length bins); normalised by 1/n. */
  inverse(re: Float64Array, im: Float64Array, out: Float64Array): void {
    const h = this.size / 2;
    const { zRe, zIm, cos, sin } = this;
    for (let k = 0; k < h; k++) {
      const xr = re[k],
        xi = im[k],
        cr = re[h - k],
        ci = -im[h - k]; // X[k], conj(X[h−k])
      const er = (xr + cr) / 2,
        ei = (xi + ci) / 2;
      const dr = (xr - cr) / 2,
        di = (xi - ci) / 2;
      const wr = cos[k],
        wi = sin[k]; // e^(+2πik/n)
      const or = dr * wr - di * wi,
        oi = dr * wi + di * wr;
      zRe[k] = er - oi; // E + i·O
      zIm[k] = ei + or;
    }
    this.half.inverse(zRe, zIm);
    for (let k = 0; k < h; k++) {
      out[2 * k] = zRe[k];
      out[2 * k + 1] = zIm[k];
    }
  }
}
