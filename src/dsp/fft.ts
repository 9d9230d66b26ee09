/**
 * Fast Fourier transforms of any length, in float64.
 *
 * Why our own and not `fft.js`: the model families need lengths that are not powers of two
 * (Wav2Lip's n_fft is 800 = 2⁵·5²), which power-of-two libraries cannot do. This is a Stockham
 * autosort FFT (no bit reversal) with radix-4, 2, 3 and 5 butterflies and a generic radix for the
 * other prime factors, so any length works and lengths of small primes are fast. A plan
 * precomputes its twiddles and scratch buffers once; transforms allocate nothing. Real signals go
 * through `RealFft` (real-fft.ts), which halves the work.
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';

/** Complex FFT of a fixed length. Data are split into real and imaginary arrays. */
export class ComplexFft {
  /** Transform length, samples. */
  readonly size: number;
  private readonly radices: number[];
  /** cos(2πk/size) and sin(2πk/size), k = 0 … size−1. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;
  /** Scratch for the generic radix: one butterfly's inputs. */
  private readonly aRe: Float64Array;
  private readonly aIm: Float64Array;

  constructor(size: number) {
    requireParam('FFT size', size, isPositiveInteger, 'a positive integer');
    this.size = size;
    this.radices = factorize(size);
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let k = 0; k < size; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.workRe = new Float64Array(size);
    this.workIm = new Float64Array(size);
    const maxRadix = Math.max(1, ...this.radices);
    this.aRe = new Float64Array(maxRadix);
    this.aIm = new Float64Array(maxRadix);
  }

  /** In-place forward transform: X[k] = Σ x[j]·e^(−2πijk/n). */
  forward(re: Float64Array, im: Float64Array): void {
    this.checkLength(re, im);
    let srcRe = re,
      srcIm = im,
      dstRe = this.workRe,
      dstIm = this.workIm;
    let n = this.size;
    let stride = 1;
    for (const p of this.radices) {
      const m = n / p;
      const twiddleStep = this.size / n;
      if (p === 4) this.radix4(srcRe, srcIm, dstRe, dstIm, m, stride, twiddleStep);
      else if (p === 2) this.radix2(srcRe, srcIm, dstRe, dstIm, m, stride, twiddleStep);
      else if (p === 5) this.radix5(srcRe, srcIm, dstRe, dstIm, m, stride, twiddleStep);
      else if (p === 3) this.radix3(srcRe, srcIm, dstRe, dstIm, m, stride, twiddleStep);
      else this.radixGeneric(p, srcRe, srcIm, dstRe, dstIm, m, stride, twiddleStep);
      n = m;
      stride *= p;
      [srcRe, dstRe] = [dstRe, srcRe];
      [srcIm, dstIm] = [dstIm, srcIm];
    }
    if (srcRe !== re) {
      re.set(srcRe);
      im.set(srcIm);
    }
  }

  /** In-place inverse transform, normalised by 1/n so that inverse(forward(x)) = x. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.checkLength(re, im);
    const n = this.size;
    for (let k = 0; k < n; k++) im[k] = -im[k];
    this.forward(re, im);
    const scale = 1 / n;
    for (let k = 0; k < n; k++) {
      re[k] *= scale;
      im[k] = -im[k] * scale;
    }
  }

  private checkLength(re: Float64Array, im: Float64Array): void {
    if (re.length !== this.size || im.length !== this.size) {
      throw new DspError(`FFT of size ${this.size} given arrays of length ${re.length} and ${im.length}`);
    }
  }

  // One Stockham stage: the length-n sub-transforms (n = m·p) at stride `stride` become p
  // length-m ones; outputs are twiddled by e^(−2πi·j·k/n) = table[j·k·twiddleStep].
  private radix2(
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    m: number,
    s: number,
    step: number,
  ): void {
    const { cos, sin } = this;
    for (let j = 0; j < m; j++) {
      const wr = cos[j * step],
        wi = -sin[j * step];
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j,
          i1 = i0 + s * m;
        const ar = xr[i0],
          ai = xi[i0],
          br = xr[i1],
          bi = xi[i1];
        const o = q + s * 2 * j;
        yr[o] = ar + br;
        yi[o] = ai + bi;
        const dr = ar - br,
          di = ai - bi;
        yr[o + s] = dr * wr - di * wi;
        yi[o + s] = dr * wi + di * wr;
      }
    }
  }

  private radix4(
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    m: number,
    s: number,
    step: number,
  ): void {
    const { cos, sin } = this;
    const sm = s * m;
    for (let j = 0; j < m; j++) {
      const w1r = cos[j * step],
        w1i = -sin[j * step];
      const w2r = cos[2 * j * step],
        w2i = -sin[2 * j * step];
      const w3r = cos[3 * j * step],
        w3i = -sin[3 * j * step];
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0],
          a0i = xi[i0];
        const a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const a2r = xr[i0 + 2 * sm],
          a2i = xi[i0 + 2 * sm];
        const a3r = xr[i0 + 3 * sm],
          a3i = xi[i0 + 3 * sm];
        const t0r = a0r + a2r,
          t0i = a0i + a2i;
        const t1r = a0r - a2r,
          t1i = a0i - a2i;
        const t2r = a1r + a3r,
          t2i = a1i + a3i;
        // −i·(a1 − a3)
        const t3r = a1i - a3i,
          t3i = a3r - a1r;
        const o = q + s * 4 * j;
        yr[o] = t0r + t2r;
        yi[o] = t0i + t2i;
        const b1r = t1r + t3r,
          b1i = t1i + t3i;
        yr[o + s] = b1r * w1r - b1i * w1i;
        yi[o + s] = b1r * w1i + b1i * w1r;
        const b2r = t0r - t2r,
          b2i = t0i - t2i;
        yr[o + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o + 2 * s] = b2r * w2i + b2i * w2r;
        const b3r = t1r - t3r,
          b3i = t1i - t3i;
        yr[o + 3 * s] = b3r * w3r - b3i * w3i;
        yi[o + 3 * s] = b3r * w3i + b3i * w3r;
      }
    }
  }

  private radix3(
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    m: number,
    s: number,
    step: number,
  ): void {
    const { cos, sin } = this;
    const sm = s * m;
    const h = Math.sqrt(3) / 2; // sin(2π/3)
    for (let j = 0; j < m; j++) {
      const w1r = cos[j * step],
        w1i = -sin[j * step];
      const w2r = cos[2 * j * step],
        w2i = -sin[2 * j * step];
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0],
          a0i = xi[i0];
        const a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const a2r = xr[i0 + 2 * sm],
          a2i = xi[i0 + 2 * sm];
        const tr = a1r + a2r,
          ti = a1i + a2i;
        const mr = a0r - 0.5 * tr,
          mi = a0i - 0.5 * ti;
        // ∓i·(√3/2)·(a1 − a2)
        const dr = h * (a1i - a2i),
          di = -h * (a1r - a2r);
        const o = q + s * 3 * j;
        yr[o] = a0r + tr;
        yi[o] = a0i + ti;
        const b1r = mr + dr,
          b1i = mi + di;
        yr[o + s] = b1r * w1r - b1i * w1i;
        yi[o + s] = b1r * w1i + b1i * w1r;
        const b2r = mr - dr,
          b2i = mi - di;
        yr[o + 2 * s] = b2r * w2r - b2i * w2i;
        yi[o + 2 * s] = b2r * w2i + b2i * w2r;
      }
    }
  }

  private radix5(
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    m: number,
    s: number,
    step: number,
  ): void {
    const { cos, sin } = this;
    const sm = s * m;
    const c1 = Math.cos((2 * Math.PI) / 5),
      c2 = Math.cos((4 * Math.PI) / 5);
    const s1 = Math.sin((2 * Math.PI) / 5),
      s2 = Math.sin((4 * Math.PI) / 5);
    for (let j = 0; j < m; j++) {
      const w1r = cos[j * step],
        w1i = -sin[j * step];
      const w2r = cos[2 * j * step],
        w2i = -sin[2 * j * step];
      const w3r = cos[3 * j * step],
        w3i = -sin[3 * j * step];
      const w4r = cos[4 * j * step],
        w4i = -sin[4 * j * step];
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        const a0r = xr[i0],
          a0i = xi[i0];
        const a1r = xr[i0 + sm],
          a1i = xi[i0 + sm];
        const a2r = xr[i0 + 2 * sm],
          a2i = xi[i0 + 2 * sm];
        const a3r = xr[i0 + 3 * sm],
          a3i = xi[i0 + 3 * sm];
        const a4r = xr[i0 + 4 * sm],
          a4i = xi[i0 + 4 * sm];
        const t1r = a1r + a4r,
          t1i = a1i + a4i;
        const t2r = a2r + a3r,
          t2i = a2i + a3i;
        const t3r = a1r - a4r,
          t3i = a1i - a4i;
        const t4r = a2r - a3r,
          t4i = a2i - a3i;
        const p1r = a0r + c1 * t1r + c2 * t2r,
          p1i = a0i + c1 * t1i + c2 * t2i;
        const p2r = a0r + c2 * t1r + c1 * t2r,
          p2i = a0i + c2 * t1i + c1 * t2i;
        // −i·(s1·t3 + s2·t4) and −i·(s2·t3 − s1·t4)
        const q1r = s1 * t3i + s2 * t4i,
          q1i = -(s1 * t3r + s2 * t4r);
        const q2r = s2 * t3i - s1 * t4i,
          q2i = -(s2 * t3r - s1 * t4r);
        const o = q + s * 5 * j;
        yr[o] = a0r + t1r + t2r;
        yi[o] = a0i + t1i + t2i;
        let br = p1r + q1r,
          bi = p1i + q1i;
        yr[o + s] = br * w1r - bi * w1i;
        yi[o + s] = br * w1i + bi * w1r;
        br = p2r + q2r;
        bi = p2i + q2i;
        yr[o + 2 * s] = br * w2r - bi * w2i;
        yi[o + 2 * s] = br * w2i + bi * w2r;
        br = p2r - q2r;
        bi = p2i - q2i;
        yr[o + 3 * s] = br * w3r - bi * w3i;
        yi[o + 3 * s] = br * w3i + bi * w3r;
        br = p1r - q1r;
        bi = p1i - q1i;
        yr[o + 4 * s] = br * w4r - bi * w4i;
        yi[o + 4 * s] = br * w4i + bi * w4r;
      }
    }
  }

  private radixGeneric(
    p: number,
    xr: Float64Array,
    xi: Float64Array,
    yr: Float64Array,
    yi: Float64Array,
    m: number,
    s: number,
    step: number,
  ): void {
    const { cos, sin, aRe, aIm } = this;
    const rootStep = this.size / p; // table index of e^(−2πi/p)
    const sm = s * m;
    for (let j = 0; j < m; j++) {
      for (let q = 0; q < s; q++) {
        const i0 = q + s * j;
        for (let r = 0; r < p; r++) {
          aRe[r] = xr[i0 + r * sm];
          aIm[r] = xi[i0 + r * sm];
        }
        const o = q + s * p * j;
        for (let k = 0; k < p; k++) {
          let br = 0,
            bi = 0;
          for (let r = 0; r < p; r++) {
            const t = ((r * k) % p) * rootStep;
            const c = cos[t],
              sn = -sin[t];
            br += aRe[r] * c - aIm[r] * sn;
            bi += aRe[r] * sn + aIm[r] * c;
          }
          const t = j * k * step; // < size, since j·k < m·p = n
          const wr = cos[t],
            wi = -sin[t];
          yr[o + s * k] = br * wr - bi * wi;
          yi[o + s * k] = br * wi + bi * wr;
        }
      }
    }
  }
}

/** Prime factors of n, with pairs of 2 merged into radix 4 (fewer passes over the data). */
function factorize(n: number): number[] {
  const out: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    out.push(4);
    rest /= 4;
  }
  if (rest % 2 === 0) {
    out.push(2);
    rest /= 2;
  }
  for (let f = 3; f * f <= rest; f += 2) {
    while (rest % f === 0) {
      out.push(f);
      rest /= f;
    }
  }
  if (rest > 1) out.push(rest);
  return out;
}
