/**
 * Entropy calibration (TensorRT's KL-divergence threshold): rare outliers no longer stretch the
 * range, a uniform tensor keeps its range, several runs merge deterministically, and a static
 * INT8 model from entropy ranges stays within quantize-static's bound of float32.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeOnnxModel } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../src/onnx/edit/encode.ts';
import { activationTensorsToCalibrate, addOutputs } from '../../src/onnx/precision/calibrate.ts';
import { type CalibrationMethod, rangesFromRuns } from '../../src/onnx/precision/ranges.ts';
import { quantizeStatic } from '../../src/onnx/precision/static.ts';
import { normalWeights, uniformStream } from '../../src/onnx/random.ts';
import { randomFeeds, relativeErrors, run, sessionOptions, tinyModel, worst } from './precision-fixtures.ts';

const ENTROPY: CalibrationMethod = { method: 'entropy' };

/** 100 000 N(0, 1) values and 5 at ±1000 σ. */
function gaussianWithOutliers(): Float32Array {
  const values = new Float32Array(100_005);
  values.set(normalWeights('entropy-gaussian', 100_000, 1));
  values.set([1000, -1000, 1000, -1000, 1000], 100_000);
  return values;
}

function uniform(count: number, lo: number, hi: number, seed: number): Float32Array {
  const next = uniformStream(seed);
  return Float32Array.from({ length: count }, () => lo + (hi - lo) * next());
}

const share = (values: Float32Array, r: { min: number; max: number }) =>
  values.filter((v) => v >= r.min && v <= r.max).length / values.length;

describe('entropy calibration', () => {
  it('cuts rare huge outliers that minmax keeps, and still covers ≥ 99.9 % of the values', () => {
    const x = gaussianWithOutliers();
    const minmax = rangesFromRuns([{ x }]).get('x')!;
    const entropy = rangesFromRuns([{ x }], ENTROPY).get('x')!;
    expect(minmax).toEqual({ min: -1000, max: 1000 });
    expect(entropy.max - entropy.min).toBeLessThan((minmax.max - minmax.min) / 5);
    expect(entropy.min).toBe(-entropy.max);
    expect(share(x, entropy)).toBeGreaterThanOrEqual(0.999);
  });

  it('keeps nearly the whole range of a uniform tensor, with or without values near 0', () => {
    for (const [lo, hi] of [
      [-1, 1],
      [0.1, 0.9],
    ]) {
      const x = uniform(100_000, lo, hi, 7);
      const r = rangesFromRuns([{ x }], ENTROPY).get('x')!;
      expect(r.min).toBe(x.reduce((a, b) => Math.min(a, b)));
      expect(r.max - r.min).toBeGreaterThanOrEqual(0.9 * (hi - lo));
    }
  });

  it('keeps min 0 of a Relu output, whose zeros do not pull the threshold down', () => {
    const relu = normalWeights('entropy-relu', 100_000, 1).map((v) => Math.max(v, 0));
    const r = rangesFromRuns([{ relu }], ENTROPY).get('relu')!;
    expect(r.min).toBe(0);
    expect(r.max).toBeLessThan(relu.reduce((a, b) => Math.max(a, b)));
    expect(share(relu, r)).toBeGreaterThanOrEqual(0.999);
  });

  it('is deterministic, merges later runs that widen the range, and ignores their order', () => {
    const x = gaussianWithOutliers();
    const runs = [0, 1, 2, 3].map((i) => ({ x: x.subarray(i * 25_000, (i + 1) * 25_000) }));
    runs[3] = { x: x.subarray(75_000) }; // the outliers come last: the histogram widens
    const once = rangesFromRuns(runs, ENTROPY);
    expect(rangesFromRuns(runs, ENTROPY)).toEqual(once);
    expect(rangesFromRuns([runs[0], runs[3], runs[2], runs[1]], ENTROPY)).toEqual(once);
    // The first run sets the bin width (then doubled as needed), so the threshold moves a little
    // from the one-run figure; the outliers are cut all the same.
    expect(once.get('x')!.max).toBeLessThan(200);
    expect(share(x, once.get('x')!)).toBeGreaterThanOrEqual(0.999);
  });

  it('names the option out of range', () => {
    const runs = [{ x: Float32Array.of(1) }];
    expect(() => rangesFromRuns(runs, { method: 'entropy', quantizedBins: 1 })).toThrow(/entropy quantizedBins 1/);
    expect(() => rangesFromRuns(runs, { method: 'entropy', bins: 100 })).toThrow(
      /entropy bins 100: expected a whole number ≥ quantizedBins \(128\)/,
    );
  });

  it('tiny wav2lip: static INT8 from entropy ranges loads and stays within 0.1 of float32', async () => {
    const bytes = tinyModel('wav2lip');
    const model = decodeOnnxModel(bytes);
    const names = activationTensorsToCalibrate(model);
    const session = await ort.InferenceSession.create(encodeOnnxModel(addOutputs(model, names)), sessionOptions);
    const runs = [];
    for (const seed of [1, 2, 3]) runs.push(await session.run(randomFeeds('wav2lip', seed), names));
    await session.release();
    const ranges = rangesFromRuns(runs, ENTROPY);
    expect(ranges.size).toBe(names.length);
    const { model: int8, report } = quantizeStatic(model, ranges);
    expect(report.quantizedWeightShare).toBe(1);
    const feeds = randomFeeds('wav2lip', 99);
    const errors = relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(int8), feeds));
    expect(worst(errors)).toBeLessThan(0.1);
  });
});
