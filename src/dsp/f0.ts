/**
 * Fundamental-frequency (F0) tracking with YIN (de Cheveigné & Kawahara 2002): the cumulative-mean
 * normalised difference function, an absolute threshold, and parabolic interpolation of the
 * difference function around the chosen lag.
 *
 * Frame i is centred on sample i·hop; a signal of n samples has ⌊n/hop⌋ + 1 frames — RVC's
 * framing at 16 kHz / hop 160 = 100 frames/s. The difference function is computed through one
 * FFT cross-correlation per frame (O(N log N) rather than O(W·τmax)), with fixed buffers.
 */
import { isPositiveInteger, requireParam } from './errors.ts';
import { RealFft } from './real-fft.ts';

export interface YinOptions {
  /** Sample rate of the signal, Hz. @defaultValue 16000 */
  sampleRate?: number;
  /** Samples between frame centres. @defaultValue 160 (100 frames/s at 16 kHz) */
  hop?: number;
  /** Lowest F0 searched, Hz. @defaultValue 50 */
  fmin?: number;
  /** Highest F0 searched, Hz. @defaultValue 1100 */
  fmax?: number;
  /**
   * YIN's absolute threshold on the normalised difference (dimensionless, 0 … 1): the first dip
   * below it is the period; frames with none are unvoiced. Lower = stricter voicing. @defaultValue 0.1
   */
  threshold?: number;
  /** Integration window, samples. @defaultValue 2·⌈sampleRate/fmin⌉ (two periods of fmin) */
  windowSamples?: number;
  /** Frames whose RMS amplitude (full scale = 1) is below this are unvoiced. @defaultValue 1e-4 */
  silenceRms?: number;
}

export class YinPitchTracker {
  readonly sampleRate: number;
  readonly hop: number;
  private readonly tauMin: number;
  private readonly tauMax: number;
  private readonly window: number;
  private readonly threshold: number;
  private readonly silenceEnergy: number;
  /** Analysis segment: window + lags, centred on the frame. */
  private readonly segmentLength: number;
  private readonly fft: RealFft;
  private readonly segment: Float64Array;
  private readonly reference: Float64Array;
  private readonly energyPrefix: Float64Array;
  private readonly diff: Float64Array;
  private readonly cmnd: Float64Array;
  private readonly aRe: Float64Array;
  private readonly aIm: Float64Array;
  private readonly bRe: Float64Array;
  private readonly bIm: Float64Array;
  private readonly corr: Float64Array;

  constructor(options: YinOptions = {}) {
    const { sampleRate = 16000, hop = 160, fmin = 50, fmax = 1100, threshold = 0.1, silenceRms = 1e-4 } = options;
    requireParam('sampleRate', sampleRate, (v) => v > 0, 'a positive number (Hz)');
    requireParam('hop', hop, isPositiveInteger, 'a positive integer (samples)');
    requireParam('fmin', fmin, (v) => v > 0, 'a positive frequency (Hz)');
    requireParam(
      'fmax',
      fmax,
      (v) => v > fmin && v < sampleRate / 4,
      `a frequency in (fmin = ${fmin}, sampleRate/4) Hz`,
    );
    requireParam('threshold', threshold, (v) => v > 0 && v < 1, 'a number in (0, 1)');
    requireParam('silenceRms', silenceRms, (v) => v >= 0, 'an amplitude ≥ 0');
    this.sampleRate = sampleRate;
    this.hop = hop;
    this.tauMin = Math.max(2, Math.floor(sampleRate / fmax));
    this.tauMax = Math.ceil(sampleRate / fmin);
    this.window = options.windowSamples ?? 2 * this.tauMax;
    requireParam('windowSamples', this.window, isPositiveInteger, 'a positive integer (samples)');
    this.threshold = threshold;
    this.silenceEnergy = silenceRms * silenceRms * this.window;
    // Lags up to τmax + 1 so that a dip at τmax still has a right neighbour for interpolation.
    this.segmentLength = this.window + this.tauMax + 2;
    let size = 2;
    while (size < this.segmentLength) size *= 2;
    this.fft = new RealFft(size);
    this.segment = new Float64Array(size);
    this.reference = new Float64Array(size);
    this.energyPrefix = new Float64Array(this.segmentLength + 1);
    this.diff = new Float64Array(this.tauMax + 2);
    this.cmnd = new Float64Array(this.tauMax + 2);
    this.aRe = new Float64Array(this.fft.bins);
    this.aIm = new Float64Array(this.fft.bins);
    this.bRe = new Float64Array(this.fft.bins);
    this.bIm = new Float64Array(this.fft.bins);
    this.corr = new Float64Array(size);
  }

  /** ⌊samples/hop⌋ + 1 frames (0 for an empty signal). */
  frameCount(samples: number): number {
    return samples === 0 ? 0 : Math.floor(samples / this.hop) + 1;
  }

  /** F0 per frame, Hz; 0 marks an unvoiced frame. */
  track(signal: Float32Array): Float32Array {
    const frames = this.frameCount(signal.length);
    const f0 = new Float32Array(frames);
    for (let t = 0; t < frames; t++) f0[t] = this.frameF0(signal, t * this.hop);
    return f0;
  }

  /** F0 of the frame centred on sample `centre`, Hz, or 0. */
  private frameF0(signal: Float32Array, centre: number): number {
    const { segment, reference, energyPrefix, diff, cmnd, window, tauMax, segmentLength } = this;
    const start = centre - Math.floor(segmentLength / 2);
    const n = signal.length;
    for (let i = 0; i < segmentLength; i++) {
      const j = start + i;
      segment[i] = j >= 0 && j < n ? signal[j] : 0;
    }
    energyPrefix[0] = 0;
    for (let i = 0; i < segmentLength; i++) energyPrefix[i + 1] = energyPrefix[i] + segment[i] * segment[i];
    const energy0 = energyPrefix[window];
    if (energy0 <= this.silenceEnergy) return 0;

    // r(τ) = Σ_{j<W} x_j·x_{j+τ} as the inverse FFT of conj(A)·B.
    reference.set(segment.subarray(0, window));
    this.fft.forward(reference, this.aRe, this.aIm);
    this.fft.forward(segment, this.bRe, this.bIm);
    const { aRe, aIm, bRe, bIm, corr } = this;
    for (let k = 0; k < aRe.length; k++) {
      const re = aRe[k] * bRe[k] + aIm[k] * bIm[k];
      const im = aRe[k] * bIm[k] - aIm[k] * bRe[k];
      bRe[k] = re;
      bIm[k] = im;
    }
    this.fft.inverse(bRe, bIm, corr);

    // d(τ) = Σ (x_j − x_{j+τ})² = E₀ + E_τ − 2r(τ); d'(τ) = d(τ)·τ / Σ_{1..τ} d.
    cmnd[0] = 1;
    let running = 0;
    for (let tau = 1; tau <= tauMax + 1; tau++) {
      const d = Math.max(0, energy0 + energyPrefix[tau + window] - energyPrefix[tau] - 2 * corr[tau]);
      diff[tau] = d;
      running += d;
      cmnd[tau] = running > 0 ? (d * tau) / running : 1;
    }
    let tau = -1;
    for (let t = this.tauMin; t <= tauMax; t++) {
      if (cmnd[t] < this.threshold) {
        while (t + 1 <= tauMax && cmnd[t + 1] < cmnd[t]) t++;
        tau = t;
        break;
      }
    }
    if (tau < 0) return 0;
    // The raw difference is locally a parabola around the true period; d' would bias it by τ/Σd.
    const left = diff[tau - 1],
      mid = diff[tau],
      right = diff[tau + 1];
    const curvature = left - 2 * mid + right;
    const shift = curvature > 0 ? Math.max(-1, Math.min(1, (0.5 * (left - right)) / curvature)) : 0;
    return this.sampleRate / (tau + shift);
  }
}

/** One-shot form of `new YinPitchTracker(options).track(signal)`. */
export function yinF0(signal: Float32Array, options?: YinOptions): Float32Array {
  return new YinPitchTracker(options).track(signal);
}
