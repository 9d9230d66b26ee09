/**
 * Activation ranges from calibration runs: feed each run's outputs (of the model `addOutputs`
 * made) to a RangeCollector, then read one range per tensor.
 * - `minmax`: the smallest and largest value seen (ORT's MinMax calibrator without averaging).
 * - `percentile`: cuts (100 − p)/2 % of the values off each end of a histogram of all values
 *   seen, so that rare outliers do not stretch the uint8 grid (ORT's Percentile calibrator,
 *   asymmetric form).
 * - `entropy`: TensorRT's KL-divergence calibration (ORT's Entropy calibrator): the threshold t
 *   at which a 128-level copy of the clipped |value| histogram loses the least information
 *   (KL divergence); the range is [−t, t] cut to the values seen, so a Relu output keeps min 0.
 */
import { MagnitudeHistogram } from './entropy.ts';
import { PrecisionError } from './errors.ts';
import type { TensorRange } from './types.ts';

export type CalibrationMethod =
  | { method: 'minmax' }
  | {
      method: 'percentile';
      /** Share of values kept, in %. @defaultValue 99.99 */
      percentile?: number;
      /** Histogram bins. @defaultValue 2048 */
      bins?: number;
    }
  | {
      method: 'entropy';
      /** Bins of the |value| histogram over [0, largest |value|]. @defaultValue 2048 */
      bins?: number;
      /** Levels the search quantizes a candidate into, per sign (int8: 128). @defaultValue 128 */
      quantizedBins?: number;
    };

/** One run's outputs: name → values. An ort.Tensor fits (its `data` is a Float32Array for float32). */
export type RunOutputs = Readonly<Record<string, Float32Array | { readonly data: unknown }>>;

/** A histogram over [lo, hi] that widens (re-binning what it holds) when values fall outside. */
class Histogram {
  lo = Number.POSITIVE_INFINITY;
  hi = Number.NEGATIVE_INFINITY;
  readonly counts: Float64Array;

  constructor(bins: number) {
    this.counts = new Float64Array(bins);
  }

  private bin(v: number): number {
    const n = this.counts.length;
    return this.hi === this.lo ? 0 : Math.min(n - 1, Math.floor(((v - this.lo) / (this.hi - this.lo)) * n));
  }

  private widen(lo: number, hi: number): void {
    const old = Float64Array.from(this.counts);
    const [oldLo, oldHi] = [this.lo, this.hi];
    this.lo = lo;
    this.hi = hi;
    this.counts.fill(0);
    if (!Number.isFinite(oldLo)) return;
    const width = (oldHi - oldLo) / old.length;
    for (let i = 0; i < old.length; i++) if (old[i] > 0) this.counts[this.bin(oldLo + (i + 0.5) * width)] += old[i];
  }

  add(values: Float32Array, min: number, max: number): void {
    if (min < this.lo || max > this.hi) this.widen(Math.min(min, this.lo), Math.max(max, this.hi));
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v)) this.counts[this.bin(v)]++;
    }
  }

  /** The value below which `fraction` of all counts lie (a bin edge). */
  quantile(fraction: number, upper: boolean): number {
    const total = this.counts.reduce((a, b) => a + b, 0);
    const width = (this.hi - this.lo) / this.counts.length;
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= fraction * total) return this.lo + (upper ? i + 1 : i) * width;
    }
    return this.hi;
  }
}

interface Observed {
  min: number;
  max: number;
  histogram?: Histogram;
  magnitudes?: MagnitudeHistogram;
}

function floatData(v: RunOutputs[string]): Float32Array | undefined {
  if (v instanceof Float32Array) return v;
  return v.data instanceof Float32Array ? v.data : undefined;
}

export class RangeCollector {
  private readonly seen = new Map<string, Observed>();

  constructor(private readonly options: CalibrationMethod = { method: 'minmax' }) {
    if (options.method === 'percentile') {
      const p = options.percentile ?? 99.99;
      if (!(p > 50 && p <= 100)) throw new PrecisionError(`percentile ${p}: expected a share in % in (50, 100]`);
    }
    if (options.method === 'entropy') {
      const q = options.quantizedBins ?? 128;
      const b = options.bins ?? 2048;
      if (!(Number.isInteger(q) && q >= 2))
        throw new PrecisionError(`entropy quantizedBins ${q}: expected a whole number ≥ 2`);
      if (!(Number.isInteger(b) && b >= q))
        throw new PrecisionError(`entropy bins ${b}: expected a whole number ≥ quantizedBins (${q})`);
    }
  }

  /** Takes the float32 values of one run; other outputs (int64, bool, …) are ignored. */
  observe(outputs: RunOutputs): void {
    for (const [name, value] of Object.entries(outputs)) {
      const data = floatData(value);
      if (!data || data.length === 0) continue;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < data.length; i++) {
        const v = data[i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      if (!Number.isFinite(min) || !Number.isFinite(max))
        throw new PrecisionError(
          `calibration output "${name}" holds ${!Number.isFinite(min) ? min : max}: cannot take its range`,
        );
      let o = this.seen.get(name);
      if (!o) {
        o = { min, max };
        if (this.options.method === 'percentile') o.histogram = new Histogram(this.options.bins ?? 2048);
        if (this.options.method === 'entropy') o.magnitudes = new MagnitudeHistogram(this.options.bins ?? 2048);
        this.seen.set(name, o);
      }
      o.min = Math.min(o.min, min);
      o.max = Math.max(o.max, max);
      o.histogram?.add(data, min, max);
      o.magnitudes?.add(data, Math.max(-min, max));
    }
  }

  ranges(): Map<string, TensorRange> {
    const out = new Map<string, TensorRange>();
    const cut = this.options.method === 'percentile' ? (100 - (this.options.percentile ?? 99.99)) / 200 : 0;
    const quantizedBins = this.options.method === 'entropy' ? (this.options.quantizedBins ?? 128) : 0;
    for (const [name, o] of this.seen) {
      if (o.magnitudes) {
        // [−t, t] cut to the values seen, as ORT's get_entropy_threshold returns it: a Relu output
        // keeps min 0 and spends all 256 uint8 steps on [0, t]. A t below every |value| of a
        // one-signed tensor would leave an empty range, so the range keeps at least one value.
        const t = o.magnitudes.entropyThreshold(quantizedBins);
        out.set(name, { min: Math.max(o.min, Math.min(-t, o.max)), max: Math.min(o.max, Math.max(t, o.min)) });
      } else if (!o.histogram || cut === 0) out.set(name, { min: o.min, max: o.max });
      else
        out.set(name, {
          min: Math.max(o.min, o.histogram.quantile(cut, false)),
          max: Math.min(o.max, o.histogram.quantile(1 - cut, true)),
        });
    }
    return out;
  }
}

/** Ranges of every float32 tensor in `runs` (each one run's outputs), by `method`. */
export function rangesFromRuns(
  runs: Iterable<RunOutputs>,
  method: CalibrationMethod = { method: 'minmax' },
): Map<string, TensorRange> {
  const c = new RangeCollector(method);
  for (const r of runs) c.observe(r);
  return c.ranges();
}
