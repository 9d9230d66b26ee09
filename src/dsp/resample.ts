/**
 * Sample-rate conversion by band-limited interpolation: a Kaiser-windowed sinc evaluated as a
 * polyphase filter bank (one filter per output phase of the reduced ratio L/M = out/in).
 *
 * Alignment and length rule: output sample n sits at input time n·in/out (sample 0 on sample 0,
 * zero-phase filter, no delay), and a signal of N input samples gives ⌈N·out/in⌉ output samples —
 * every output instant that falls before the end of the input (resampy's and soxr's rule).
 * Samples outside the signal count as zeros. Equal rates pass samples through unfiltered.
 *
 * `StreamingResampler` carries the filter history across chunks, so resampling a clip chunk by
 * chunk gives bit-for-bit the same samples as resampling it whole, in memory bounded by the chunk.
 */
import { DspError, isPositiveInteger, requireParam } from './errors.ts';
import { besselI0, kaiserAt } from './window.ts';

export interface ResampleOptions {
  /** Input sample rate, Hz (positive integer). */
  inputRate: number;
  /** Output sample rate, Hz (positive integer). */
  outputRate: number;
  /**
   * Sinc zero crossings on each side of the filter centre. More = steeper transition band and
   * more taps (cost grows linearly). @defaultValue 32
   */
  zeroCrossings?: number;
  /**
   * Cutoff as a fraction of the lower of the two Nyquist frequencies (dimensionless, 0 … 1).
   * The transition band is centred here. @defaultValue 0.94
   */
  rolloff?: number;
  /** Kaiser window β (dimensionless); ≈ 0.1102·(A − 8.7) for A dB of stopband. @defaultValue 10 */
  kaiserBeta?: number;
}

/** Largest polyphase table (phases × taps) we build: 8 M coefficients, 64 MB. */
const MAX_TABLE = 8 * 1024 * 1024;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** ⌈N·out/in⌉: output samples for N input samples. */
export function resampledLength(samples: number, inputRate: number, outputRate: number): number {
  const g = gcd(inputRate, outputRate);
  const up = outputRate / g,
    down = inputRate / g;
  return Math.floor((samples * up + down - 1) / down);
}

/** Filter tables by rates and filter (a resampler per chunk would otherwise build its own each time). */
const TABLES = new Map<string, Float64Array>();
/** Tables kept at most: a run sees a few rate pairs. */
const MAX_TABLES = 16;

export class StreamingResampler {
  readonly inputRate: number;
  readonly outputRate: number;
  /** Reduced ratio: L output samples per M input samples. */
  private readonly up: number;
  private readonly down: number;
  /** Taps per phase = 2·halfTaps; output n reads input c−halfTaps+1 … c+halfTaps, c = ⌊n·M/L⌋. */
  private readonly halfTaps: number;
  private readonly taps: number;
  /** Row φ holds the filter for output instants c + φ/L. */
  private readonly table: Float64Array;
  private buf: Float64Array;
  /** Absolute input index of buf[0] (negative indices are the zeros before the signal). */
  private bufStart: number;
  private bufLen: number;
  private received = 0;
  /** Next output sample: its index, and its input position c + phase/L. */
  private nextOut = 0;
  private c = 0;
  private phase = 0;
  private finished = false;
  /** Equal rates: a low-pass would only remove the top of the band, so copy instead. */
  private readonly passthrough: boolean;

  constructor(options: ResampleOptions) {
    const { inputRate, outputRate, zeroCrossings = 32, rolloff = 0.94, kaiserBeta = 10 } = options;
    requireParam('inputRate', inputRate, isPositiveInteger, 'a positive integer (Hz)');
    requireParam('outputRate', outputRate, isPositiveInteger, 'a positive integer (Hz)');
    requireParam('zeroCrossings', zeroCrossings, isPositiveInteger, 'a positive integer');
    requireParam('rolloff', rolloff, (v) => v > 0 && v <= 1, 'a fraction in (0, 1]');
    requireParam('kaiserBeta', kaiserBeta, (v) => v >= 0, 'a number ≥ 0');
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    const g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    this.passthrough = this.up === 1 && this.down === 1;
    // Cutoff in cycles per input sample; below the output Nyquist when decimating.
    const cutoff = 0.5 * rolloff * Math.min(1, this.up / this.down);
    const halfWidth = zeroCrossings / (2 * cutoff); // input samples from centre to window edge
    // Even, so taps is a multiple of 4 for the unrolled dot product.
    this.halfTaps = 2 * Math.ceil(halfWidth / 2);
    this.taps = 2 * this.halfTaps;
    if (this.up * this.taps > MAX_TABLE) {
      throw new DspError(
        `resampling ${inputRate} → ${outputRate} Hz needs ${this.up} phases × ${this.taps} taps: ` +
          `expected rates whose ratio reduces to at most ${Math.floor(MAX_TABLE / this.taps)} phases`,
      );
    }
    // The same rates and filter give the same table: built once per thread, then shared (read only).
    const key = `${this.up}/${this.down}/${zeroCrossings}/${rolloff}/${kaiserBeta}`;
    let table = TABLES.get(key);
    if (!table) {
      table = new Float64Array(this.up * this.taps);
      const i0OfBeta = besselI0(kaiserBeta);
      for (let phase = 0; phase < this.up; phase++) {
        for (let i = 0; i < this.taps; i++) {
          const tau = phase / this.up - (i - this.halfTaps + 1); // output instant − input sample, input samples
          const x = 2 * cutoff * tau;
          const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
          table[phase * this.taps + i] = 2 * cutoff * sinc * kaiserAt(tau / halfWidth, kaiserBeta, i0OfBeta);
        }
      }
      if (TABLES.size >= MAX_TABLES) TABLES.delete(TABLES.keys().next().value!);
      TABLES.set(key, table);
    }
    this.table = table;
    // Start with the zeros that precede the signal, so the first outputs see a full history.
    this.bufLen = this.halfTaps - 1;
    this.bufStart = -this.bufLen;
    this.buf = new Float64Array(Math.max(1024, 4 * this.taps));
  }

  /** Input samples the filter reaches ahead of an output instant (its latency when streaming). */
  get lookahead(): number {
    return this.passthrough ? 0 : this.halfTaps;
  }

  /** Feeds the next chunk; returns every output sample that no longer depends on later input. */
  push(chunk: Float32Array): Float32Array {
    if (this.finished) throw new DspError('StreamingResampler.push after flush: expected a new resampler per signal');
    if (this.passthrough) return chunk.slice();
    this.append(chunk, chunk.length);
    this.received += chunk.length;
    // Output n is ready when c + halfTaps < received, i.e. ⌊n·M/L⌋ ≤ received − 1 − halfTaps.
    const lastCentre = this.received - 1 - this.halfTaps;
    const end = lastCentre < 0 ? 0 : Math.floor(((lastCentre + 1) * this.up - 1) / this.down) + 1;
    return this.emit(end);
  }

  /** Ends the signal (zeros after it) and returns the remaining output samples. */
  flush(): Float32Array {
    if (this.finished || this.passthrough) {
      this.finished = true;
      return new Float32Array(0);
    }
    this.append(null, this.halfTaps + 1);
    this.finished = true;
    return this.emit(resampledLength(this.received, this.inputRate, this.outputRate));
  }

  /** Appends `count` samples of `chunk` (zeros when null), dropping input no output needs any more. */
  private append(chunk: Float32Array | null, count: number): void {
    const keepFrom = this.c - this.halfTaps + 1;
    const drop = Math.max(0, Math.min(keepFrom - this.bufStart, this.bufLen));
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufStart += drop;
      this.bufLen -= drop;
    }
    if (this.bufLen + count > this.buf.length) {
      const grown = new Float64Array(Math.max(2 * this.buf.length, this.bufLen + count));
      grown.set(this.buf.subarray(0, this.bufLen));
      this.buf = grown;
    }
    if (chunk) {
      for (let i = 0; i < count; i++) this.buf[this.bufLen + i] = chunk[i];
    } else {
      this.buf.fill(0, this.bufLen, this.bufLen + count);
    }
    this.bufLen += count;
  }

  /** Computes output samples nextOut … end−1. */
  private emit(end: number): Float32Array {
    const count = Math.max(0, end - this.nextOut);
    const out = new Float32Array(count);
    const { buf, table, taps, up, halfTaps } = this;
    const stepWhole = Math.floor(this.down / up),
      stepPhase = this.down % up;
    let c = this.c,
      phase = this.phase;
    for (let n = 0; n < count; n++) {
      const base = c - halfTaps + 1 - this.bufStart;
      const row = phase * taps;
      // Four accumulators: one running sum would serialise on the add latency.
      let a0 = 0,
        a1 = 0,
        a2 = 0,
        a3 = 0;
      for (let i = 0; i < taps; i += 4) {
        a0 += buf[base + i] * table[row + i];
        a1 += buf[base + i + 1] * table[row + i + 1];
        a2 += buf[base + i + 2] * table[row + i + 2];
        a3 += buf[base + i + 3] * table[row + i + 3];
      }
      out[n] = a0 + a1 + (a2 + a3);
      c += stepWhole;
      phase += stepPhase;
      if (phase >= up) {
        phase -= up;
        c += 1;
      }
    }
    this.c = c;
    this.phase = phase;
    this.nextOut += count;
    return out;
  }
}

/** Input block fed at a time by `resample`: keeps the history buffer small and cache-resident. */
const BLOCK = 1 << 16;

/** Resamples a whole signal: ⌈N·out/in⌉ samples, identical to streaming it in any chunking. */
export function resample(signal: Float32Array, options: ResampleOptions): Float32Array {
  const r = new StreamingResampler(options);
  const out = new Float32Array(resampledLength(signal.length, r.inputRate, r.outputRate));
  let written = 0;
  for (let at = 0; at < signal.length; at += BLOCK) {
    const part = r.push(signal.subarray(at, Math.min(signal.length, at + BLOCK)));
    out.set(part, written);
    written += part.length;
  }
  out.set(r.flush(), written);
  return out;
}

/**
 * The input samples [start, end) of a signal `length` long that `resampleSlice` reads for output
 * samples [first, first + count): a caller that derives the input (a mix-down) need derive no more.
 */
export function resampleSliceInput(
  length: number,
  options: ResampleOptions,
  first: number,
  count: number,
): [start: number, end: number] {
  if (options.inputRate === options.outputRate)
    return [Math.min(length, Math.max(0, first)), Math.min(length, Math.max(0, first + count))];
  const g = gcd(options.inputRate, options.outputRate);
  const [up, down] = [options.outputRate / g, options.inputRate / g];
  const reach = new StreamingResampler(options).lookahead + 1;
  const start = Math.max(0, Math.floor((Math.floor((first * down) / up) - reach) / down) * down);
  const end = Math.min(length, Math.ceil(((first + count) * down) / up) + reach);
  return [start, end];
}

/** A signal read in part: its length, and its samples [start, end) when asked (a mix-down of them). */
export interface SignalParts {
  length: number;
  part(start: number, end: number): Float32Array;
}

/**
 * Output samples [first, first + count) of `resample(signal, options)`, exactly, resampling only
 * the input they read (resampleSliceInput): from a start on the rates' common grid (output 0 of the
 * part is then a whole output index) to the filter's reach past the last one. Samples past the full
 * output's end are zeros. A `SignalParts` is asked for that input range only.
 */
export function resampleSlice(
  signal: Float32Array | SignalParts,
  options: ResampleOptions,
  first: number,
  count: number,
): Float32Array {
  const out = new Float32Array(Math.max(0, count));
  const [start, end] = resampleSliceInput(signal.length, options, first, count);
  const input = (a: number, b: number) => ('part' in signal ? signal.part(a, b) : signal.subarray(a, b));
  if (options.inputRate === options.outputRate) {
    if (end > start) out.set(input(start, end), start - first);
    return out;
  }
  const g = gcd(options.inputRate, options.outputRate);
  const [up, down] = [options.outputRate / g, options.inputRate / g];
  if (end <= start) return out;
  const part = resample(input(start, end), options);
  const offset = first - (start / down) * up;
  const full = resampledLength(signal.length, options.inputRate, options.outputRate);
  out.set(part.subarray(offset, offset + Math.min(count, full - first)));
  return out;
}
