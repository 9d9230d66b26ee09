/**
 * Short-time Fourier transform as librosa.stft / torch.stft compute it: frames of n_fft samples
 * every `hop` samples, a periodic Hann window (zero-padded to n_fft when shorter), and — with
 * `center` — the signal padded by n_fft/2 on both sides so that frame t is centred on sample
 * t·hop.
 *
 * A plan holds the window, the FFT and the scratch buffers; computing a frame allocates nothing,
 * so a 10-minute clip costs one output array.
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';
import { RealFft } from './real-fft.ts';
import { hannWindow, padWindowCenter } from './window.ts';

export type PadMode = 'reflect' | 'constant';

export interface StftOptions {
  /** FFT length, samples (even). */
  nFft: number;
  /** Distance between frame starts, samples. */
  hop: number;
  /** Hann window length, samples; ≤ nFft. @defaultValue nFft */
  winLength?: number;
  /** Pad n_fft/2 samples each side so frame t is centred on sample t·hop. @defaultValue true */
  center?: boolean;
  /**
   * How the centring pad is filled: 'reflect' mirrors the signal without repeating the edge
   * sample (numpy's 'reflect'; librosa < 0.10 and torch default), 'constant' uses zeros
   * (librosa ≥ 0.10 default). @defaultValue 'reflect'
   */
  padMode?: PadMode;
}

/** A magnitude spectrogram, frame-major: data[t·bins + k] = |X_t[k]|. */
export interface Spectrogram {
  data: Float32Array;
  bins: number;
  frames: number;
}

export class StftPlan {
  readonly nFft: number;
  readonly hop: number;
  readonly center: boolean;
  readonly padMode: PadMode;
  /** Spectrum bins per frame, nFft/2 + 1. */
  readonly bins: number;
  private readonly window: Float64Array;
  private readonly fft: RealFft;
  private readonly frame: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(options: StftOptions) {
    const { nFft, hop, winLength = nFft, center = true, padMode = 'reflect' } = options;
    requireParam('nFft', nFft, (v) => isPositiveInteger(v) && v % 2 === 0, 'a positive even integer (samples)');
    requireParam('hop', hop, isPositiveInteger, 'a positive integer (samples)');
    requireParam('winLength', winLength, (v) => isPositiveInteger(v) && v <= nFft, `an integer in [1, nFft = ${nFft}]`);
    if (padMode !== 'reflect' && padMode !== 'constant') {
      throw new DspError(`padMode = "${String(padMode)}": expected "reflect" or "constant"`);
    }
    this.nFft = nFft;
    this.hop = hop;
    this.center = center;
    this.padMode = padMode;
    this.bins = nFft / 2 + 1;
    this.window = padWindowCenter(hannWindow(winLength), nFft);
    this.fft = new RealFft(nFft);
    this.frame = new Float64Array(nFft);
    this.re = new Float64Array(this.bins);
    this.im = new Float64Array(this.bins);
  }

  /** Frames for a signal of `samples` samples: 1 + ⌊n/hop⌋ centred, else 1 + ⌊(n − nFft)/hop⌋. */
  frameCount(samples: number): number {
    if (this.center) return samples === 0 ? 0 : 1 + Math.floor(samples / this.hop);
    return samples < this.nFft ? 0 : 1 + Math.floor((samples - this.nFft) / this.hop);
  }

  /** |X_t[k]| of frame `t` of `signal` into `out` (length bins). */
  magnitudeFrame(signal: Float32Array, t: number, out: Float64Array): void {
    this.loadFrame(signal, t);
    this.fft.magnitude(this.frame, out, this.re, this.im);
  }

  /** The whole magnitude spectrogram of `signal`. */
  magnitude(signal: Float32Array): Spectrogram {
    const frames = this.frameCount(signal.length);
    const data = new Float32Array(frames * this.bins);
    const mag = new Float64Array(this.bins);
    for (let t = 0; t < frames; t++) {
      this.magnitudeFrame(signal, t, mag);
      data.set(mag, t * this.bins);
    }
    return { data, bins: this.bins, frames };
  }

  /** Windowed samples of frame t into this.frame, padding outside the signal per padMode. */
  private loadFrame(signal: Float32Array, t: number): void {
    const n = signal.length;
    const { frame, window, nFft } = this;
    const start = t * this.hop - (this.center ? nFft / 2 : 0);
    if (start >= 0 && start + nFft <= n) {
      for (let i = 0; i < nFft; i++) frame[i] = signal[start + i] * window[i];
      return;
    }
    for (let i = 0; i < nFft; i++) {
      const j = this.padMode === 'reflect' ? reflectIndex(start + i, n) : start + i;
      frame[i] = j >= 0 && j < n ? signal[j] * window[i] : 0;
    }
  }
}

/** numpy 'reflect' padding: mirror about the end samples without repeating them (period 2n−2). */
export function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}
