/**
 * Static INT8 (QDQ) quantization of the tiny reference models and the real RFB-320 detector:
 * calibrate on 3 seeded random inputs (minmax), quantize, and compare with float32 on a
 * held-out one. Also: ORT fuses the result into integer kernels, ConvTranspose's polyphase Conv
 * is exact in float32, determinism, missing ranges, refusal, range collection.
 *
 * Error bounds (relative RMS error of every float output), from measurement:
 * - 0.1 by default. Measured ≤ 0.07: wav2lip 0.002, face-detect 0.002, text-encoder 0.013,
 *   fastpitch 0.028, dit 0.028, vallex-ar 0.037, vallex-codec 0.041, vae 0.043, content-encoder
 *   0.062 (uint8 activations cost ~0.5 % per quantized tensor; transformers stack dozens).
 * - 0.25 for the vocoders, hifigan 0.075 and rvc 0.11: 30–40 convs in residual stacks, each
 *   output requantized, and LeakyRelu's negative side squeezed into a few uint8 steps.
 *   Percentile ranges (99.99/99.9 %) and per-tensor weights measured no better.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FAMILY_IDS, type FamilyId } from '../../models/manifests/index.ts';
import { decodeOnnxModel } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../src/onnx/edit/encode.ts';
import { initializerMap, NameAllocator } from '../../src/onnx/edit/graph.ts';
import type { OnnxModel, OnnxTensor } from '../../src/onnx/edit/types.ts';
import { activationTensorsToCalibrate, addOutputs } from '../../src/onnx/precision/calibrate.ts';
import { phaseConv, phaseConvSpec } from '../../src/onnx/precision/conv-transpose.ts';
import { PrecisionError } from '../../src/onnx/precision/errors.ts';
import { rangesFromRuns, type RunOutputs } from '../../src/onnx/precision/ranges.ts';
import { quantizeStatic } from '../../src/onnx/precision/static.ts';
import type { Feeds } from '../models/feeds.ts';
import {
  RFB_320,
  SILERO_V5,
  randomFeeds,
  relativeErrors,
  run,
  sessionOptions,
  tinyModel,
  worst,
} from './precision-fixtures.ts';

const BOUND: Partial<Record<FamilyId, number>> = { hifigan: 0.25, rvc: 0.25 };

async function calibrate(model: OnnxModel, inputs: Feeds[]) {
  const names = activationTensorsToCalibrate(model);
  const session = await ort.InferenceSession.create(encodeOnnxModel(addOutputs(model, names)), sessionOptions);
  const runs = [];
  for (const feeds of inputs) runs.push(await session.run(feeds, names));
  await session.release();
  return rangesFromRuns(runs);
}

/** The op types of the model onnxruntime runs after its graph optimizations. */
async function optimizedOps(bytes: Uint8Array): Promise<Set<string>> {
  const path = join(mkdtempSync(join(tmpdir(), 'reel-qdq-')), 'optimized.onnx');
  await (await ort.InferenceSession.create(bytes, { ...sessionOptions, optimizedModelFilePath: path })).release();
  return new Set(decodeOnnxModel(readFileSync(path)).graph.nodes.map((n) => n.opType));
}

describe('quantizeStatic', () => {
  it.each(FAMILY_IDS)('tiny %s: QDQ model within the bound of float32', async (family) => {
    const bytes = tinyModel(family);
    const model = decodeOnnxModel(bytes);
    const ranges = await calibrate(
      model,
      [1, 2, 3].map((seed) => randomFeeds(family, seed)),
    );
    const { model: int8, report } = quantizeStatic(model, ranges);
    expect(report.quantizedWeightShare).toBe(1);
    const feeds = randomFeeds(family, 99);
    const errors = relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(int8), feeds));
    expect(worst(errors)).toBeLessThan(BOUND[family] ?? 0.1);
  });

  it('ORT runs wav2lip as integer kernels: QLinearConv, and no ConvTranspose left', async () => {
    const model = decodeOnnxModel(tinyModel('wav2lip'));
    const ranges = await calibrate(model, [randomFeeds('wav2lip', 1)]);
    const ops = await optimizedOps(encodeOnnxModel(quantizeStatic(model, ranges).model));
    expect(ops).toContain('QLinearConv');
    expect(ops).not.toContain('Conv');
    expect(ops).not.toContain('ConvTranspose');
  });

  it.each(['hifigan', 'rvc', 'wav2lip'] as const)(
    '%s: ConvTranspose as polyphase Conv is exact in float32',
    async (family) => {
      const bytes = tinyModel(family);
      const model = decodeOnnxModel(bytes);
      const g = model.graph;
      const inits = initializerMap(g);
      const names = new NameAllocator(g);
      const added: OnnxTensor[] = [];
      g.nodes = g.nodes.flatMap((n) => {
        if (n.opType !== 'ConvTranspose') return [n];
        const spec = phaseConvSpec(n, inits.get(n.inputs[1])!);
        if (typeof spec === 'string') throw new Error(spec);
        const p = phaseConv(n, inits.get(n.inputs[1])!, inits.get(n.inputs[2]), spec, names, added);
        added.push(p.weight, ...(p.bias ? [p.bias] : []));
        return [p.conv, ...p.after];
      });
      g.initializers.push(...added);
      const feeds = randomFeeds(family, 5);
      expect(worst(relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(model), feeds)))).toBeLessThan(
        1e-5,
      );
    },
  );

  it('the real RFB-320 detector (opset 9): raised to opset 10, close to float32', async () => {
    const bytes = readFileSync(RFB_320);
    const model = decodeOnnxModel(bytes);
    const image = (seed: number) => {
      const feeds = randomFeeds('face-detect', seed);
      return {
        input: new ort.Tensor(
          'float32',
          (feeds.input.data as Float32Array).map((v) => v * 2 - 1),
          [1, 3, 240, 320],
        ),
      };
    };
    const { model: int8, report } = quantizeStatic(model, await calibrate(model, [image(1), image(2)]));
    expect(report.quantized.length).toBe(52);
    expect(int8.opsetImports.find((o) => o.domain === '')?.version).toBe(10);
    const feeds = image(99);
    expect(worst(relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(int8), feeds)))).toBeLessThan(0.02);
  });

  it('the same model bytes and ranges give the same bytes', async () => {
    const bytes = tinyModel('vallex-codec');
    const ranges = await calibrate(decodeOnnxModel(bytes), [randomFeeds('vallex-codec', 1)]);
    const once = () => encodeOnnxModel(quantizeStatic(decodeOnnxModel(bytes), ranges).model);
    expect(Buffer.compare(Buffer.from(once()), Buffer.from(once()))).toBe(0);
  });

  it('names the tensors it has no range for', () => {
    const model = decodeOnnxModel(tinyModel('face-detect'));
    const ranges = new Map([[activationTensorsToCalibrate(model)[0], { min: 0, max: 1 }]]);
    expect(() => quantizeStatic(model, ranges)).toThrow(/no calibrated range for 14 of 15 tensors \("/);
  });

  it('refuses Silero v5, whose weights all sit inside If bodies', () => {
    const silero = decodeOnnxModel(readFileSync(SILERO_V5));
    expect(() => quantizeStatic(silero, new Map())).toThrow(PrecisionError);
    expect(() => activationTensorsToCalibrate(silero)).not.toThrow();
  });

  it('leaves attention products in float32 and says so', () => {
    const model = decodeOnnxModel(tinyModel('vallex-nar'));
    const names = activationTensorsToCalibrate(model);
    const ranges = new Map(names.map((n) => [n, { min: -1, max: 1 }]));
    const { report } = quantizeStatic(model, ranges);
    expect(report.skipped.length).toBe(4);
    expect(report.skipped.every((s) => s.op === 'MatMul' && /activation product/.test(s.reason))).toBe(true);
  });
});

describe('calibration', () => {
  it('addOutputs exposes inner tensors, and refuses names the graph lacks', async () => {
    const model = decodeOnnxModel(tinyModel('hifigan'));
    const names = activationTensorsToCalibrate(model);
    const out = await run(encodeOnnxModel(addOutputs(model, names)), randomFeeds('hifigan', 1));
    expect(names.every((n) => out[n]?.type === 'float32')).toBe(true);
    expect(() => addOutputs(model, ['no-such-tensor'])).toThrow(/no tensor of the graph: no-such-tensor/);
  });

  it('rangesFromRuns: minmax takes the extremes, percentile cuts outliers, other types are ignored', () => {
    const values = Float32Array.from({ length: 10000 }, (_, i) => (i % 100) / 100);
    values[17] = 50;
    const runs: RunOutputs[] = [{ x: values, ids: { data: BigInt64Array.of(1n) } }, { x: Float32Array.of(-0.5) }];
    expect(rangesFromRuns(runs)).toEqual(new Map([['x', { min: -0.5, max: 50 }]]));
    const p = rangesFromRuns(runs, { method: 'percentile', percentile: 99.9 }).get('x')!;
    expect(p.max).toBeGreaterThan(0.95);
    expect(p.max).toBeLessThan(1.1);
    expect(p.min).toBeLessThan(0.02);
    expect(() => rangesFromRuns(runs, { method: 'percentile', percentile: 40 })).toThrow(/percentile 40/);
  });
});
