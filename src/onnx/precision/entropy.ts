/**
 * The entropy calibrator's parts: a histogram of |value| that grows with the runs, and the
 * KL-divergence search for the threshold (ranges.ts's `entropy` method).
 */
/**
 * A histogram of |value| over [0, counts.length · width). A run with a larger |value| appends bins
 * of the same width (as TensorRT's and ORT's |value| histograms do); where that would make 2·bins
 * or more, adjacent pairs merge and the width doubles. Edges stay multiples of the width, so no
 * count leaves the bin of its value (no smearing), and the order of the runs after the first
 * does not matter.
 */
export class MagnitudeHistogram {
  /** 0 until a non-zero |value| arrives: until then every count is a zero, in bin 0. */
  width = 0;
  counts: Float64Array;

  constructor(private readonly bins: number) {
    this.counts = new Float64Array(bins);
  }

  add(values: Float32Array, absMax: number): void {
    if (absMax > 0) this.cover(absMax);
    const last = this.counts.length - 1;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      if (Number.isNaN(a)) continue;
      this.counts[this.width === 0 ? 0 : Math.min(last, Math.floor(a / this.width))]++;
    }
  }

  private cover(absMax: number): void {
    if (this.width === 0) {
      this.width = absMax / this.bins;
      return;
    }
    if (absMax <= this.counts.length * this.width) return;
    let counts = this.counts;
    while (Math.floor(absMax / this.width) + 1 >= 2 * this.bins) {
      const merged = new Float64Array(Math.ceil(counts.length / 2));
      for (let i = 0; i < counts.length; i++) merged[i >> 1] += counts[i];
      counts = merged;
      this.width *= 2;
    }
    const needed = Math.floor(absMax / this.width) + 1;
    if (needed > counts.length) {
      const grown = new Float64Array(needed);
      grown.set(counts);
      counts = grown;
    }
    this.counts = counts;
  }

  /** The entropy threshold: the upper edge of the window `entropyWindow` picks. */
  entropyThreshold(quantizedBins: number): number {
    return entropyWindow(this.counts, quantizedBins) * this.width;
  }
}

/**
 * The KL search of TensorRT's entropy calibrator (GTC 2017 "8-bit inference with TensorRT"; NVIDIA's
 * pytorch-quantization `_compute_amax_entropy`; ORT's `get_entropy_threshold`). For each window
 * hist[0, i), quantizedBins ≤ i ≤ last non-empty bin + 1: P is the window with every count beyond
 * it added to its last bin; Q merges the window (without those outliers) into quantizedBins levels
 * of ⌊i / quantizedBins⌋ bins, the last level taking the remainder (MXNet, ORT), and gives each bin
 * its level's mean count. Both are smoothed (MXNet, ORT) and normalised; the first i of least
 * KL(P‖Q) wins (ORT's argmin). Where the references differ, and why:
 * - |value| bins with 128 levels per sign, as TensorRT: ORT bins signed values and merges a
 *   2i+1-bin window around 0 into 128 levels (64 per sign), its range one bin off symmetric.
 * - Bin 0 counts as bin 1 (pytorch-quantization's `bins[0] = bins[1]`): smearing a Relu output's
 *   zeros (half its values) over a level cost more than clipping a tail; Relu(N(0,1)) got 1.76.
 * - Q fills every bin of a level, empty ones too (ORT does; MXNet and pytorch-quantization keep
 *   empty bins at 0): with zeros kept, a tensor with no values near 0 (an image in [0.1, 0.9])
 *   scores KL 0 on the window whose only non-empty bin is its last (P and Q both one spike) and
 *   got [0.1, 0.1002]. ORT fills with sum / non-empty bins, inflating sparse levels; the mean
 *   keeps each level's count (N(0,1) → ±4.0 rather than ±3.5).
 * Returns that i: the last non-empty bin + 1 when those fit in quantizedBins levels or no KL is finite.
 */
function entropyWindow(counts: Float64Array, quantizedBins: number): number {
  let used = counts.length;
  while (used > 0 && counts[used - 1] === 0) used--;
  if (used <= quantizedBins) return used;
  const hist = counts.slice(0, used);
  hist[0] = hist[1];
  let outliers = 0;
  for (let k = quantizedBins; k < used; k++) outliers += hist[k];
  const p = new Float64Array(used);
  const q = new Float64Array(used);
  let best = used;
  let bestKl = Number.POSITIVE_INFINITY;
  for (let i = quantizedBins; i <= used; i++) {
    p.set(hist.subarray(0, i));
    p[i - 1] += outliers;
    const merged = Math.floor(i / quantizedBins);
    for (let level = 0; level < quantizedBins; level++) {
      const start = level * merged;
      const stop = level === quantizedBins - 1 ? i : start + merged;
      let sum = 0;
      for (let k = start; k < stop; k++) sum += hist[k];
      q.fill(sum / (stop - start), start, stop);
    }
    const kl = smoothedKl(p, q, i);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
    if (i < used) outliers -= hist[i];
  }
  return best;
}

/** MXNet's `smooth_distribution`: zeros become 1e-4 counts, taken evenly off the non-zero entries. */
const SMOOTHING = 1e-4;

/** What smoothing takes off each non-zero entry of d[0, n); undefined if all are 0 or one would drop to ≤ 0. */
function smoothingCut(d: Float64Array, n: number): number | undefined {
  let zeros = 0;
  let smallest = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    if (d[k] === 0) zeros++;
    else if (d[k] < smallest) smallest = d[k];
  }
  if (zeros === n) return undefined;
  const cut = (SMOOTHING * zeros) / (n - zeros);
  return cut < smallest ? cut : undefined;
}

/** KL(p‖q) over [0, n) of the smoothed, normalised counts; ∞ where either cannot be smoothed. */
function smoothedKl(p: Float64Array, q: Float64Array, n: number): number {
  const cutP = smoothingCut(p, n);
  const cutQ = smoothingCut(q, n);
  if (cutP === undefined || cutQ === undefined) return Number.POSITIVE_INFINITY;
  const smooth = (v: number, cut: number) => (v === 0 ? SMOOTHING : v - cut);
  let sumP = 0;
  let sumQ = 0;
  for (let k = 0; k < n; k++) {
    sumP += smooth(p[k], cutP);
    sumQ += smooth(q[k], cutQ);
  }
  let kl = 0;
  for (let k = 0; k < n; k++) {
    const a = smooth(p[k], cutP) / sumP;
    kl += a * Math.log(a / (smooth(q[k], cutQ) / sumQ));
  }
  return kl;
}
