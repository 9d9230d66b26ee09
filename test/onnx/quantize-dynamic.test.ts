/**
 * Dynamic INT8 quantization of the tiny reference models: the result loads in onnxruntime-node,
 * its outputs stay near float32 on random inputs, the same input gives the same bytes, and
 * models it cannot (mostly) quantize are refused with the ops named.
 *
 * Error bound: relative RMS error of every float output ≤ 0.06. Measured (seeded random inputs,
 * per-tensor int8 weights): 0.011 (text-encoder) to 0.027 (vallex-codec); int8 weights and
 * per-call uint8 activations give ~1 % per MatMul, and these models stack 5–19 of them.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { FamilyId } from '../../models/manifests/index.ts';
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { decodeOnnxModel } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../src/onnx/edit/encode.ts';
import { quantizeDynamic } from '../../src/onnx/precision/dynamic.ts';
import { PrecisionError } from '../../src/onnx/precision/errors.ts';
import { SILERO_V5, randomFeeds, relativeErrors, run, tinyModel, worst } from './precision-fixtures.ts';

const BOUND = 0.06;
const WITH_MATMUL_WEIGHTS: FamilyId[] = [
  'content-encoder',
  'vallex-ar',
  'vallex-nar',
  'vallex-codec',
  'fastpitch',
  'text-encoder',
  'dit',
  'silero-vad',
];

describe('quantizeDynamic', () => {
  it.each(WITH_MATMUL_WEIGHTS)('tiny %s: int8 MatMuls, outputs within the bound of float32', async (family) => {
    const bytes = tinyModel(family);
    const { model, report } = quantizeDynamic(decodeOnnxModel(bytes));
    expect(report.quantized.length).toBeGreaterThan(0);
    expect(model.graph.nodes.filter((n) => n.opType === 'MatMulInteger').length).toBe(report.quantized.length);
    const int8 = encodeOnnxModel(model);
    expect(int8.length).toBeLessThan(bytes.length + 4096);
    const feeds = randomFeeds(family, 99);
    expect(worst(relativeErrors(await run(bytes, feeds), await run(int8, feeds)))).toBeLessThan(BOUND);
  });

  it('the contrib format (DynamicQuantizeMatMul) computes what the integer ops compute', async () => {
    const source = decodeOnnxModel(tinyModel('vallex-ar'));
    const feeds = randomFeeds('vallex-ar', 3);
    const ops = await run(encodeOnnxModel(quantizeDynamic(source).model), feeds);
    const contribModel = quantizeDynamic(source, { format: 'contrib', perChannel: true }).model;
    expect(contribModel.opsetImports.some((o) => o.domain === 'com.microsoft')).toBe(true);
    const contrib = await run(encodeOnnxModel(contribModel), feeds);
    const perChannelOps = await run(encodeOnnxModel(quantizeDynamic(source, { perChannel: true }).model), feeds);
    expect(worst(relativeErrors(perChannelOps, contrib))).toBeLessThan(1e-5);
    expect(worst(relativeErrors(ops, contrib))).toBeLessThan(BOUND);
  });

  it('Gemm with transB, alpha, beta and a bias: both formats match float32', async () => {
    const b = new GraphBuilder('gemm', 'gemm-seed');
    const x = b.input('x', 'float32', ['B', 8]);
    const w = b.param('w', [16, 8], { std: 0.3 });
    const c = b.param('c', [16], { std: 0.5 });
    b.output(b.op('Gemm', [x, w, c], { transB: 1, alpha: { float: 0.5 }, beta: { float: 2 } }), 'y', 'float32', [
      'B',
      16,
    ]);
    const bytes = b.model();
    const feeds = {
      x: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)),
        [4, 8],
      ),
    };
    const reference = await run(bytes, feeds);
    for (const format of ['integer-ops', 'contrib'] as const) {
      const { model, report } = quantizeDynamic(decodeOnnxModel(bytes), { format });
      expect(report.quantized).toEqual(['Gemm']);
      expect(worst(relativeErrors(reference, await run(encodeOnnxModel(model), feeds)))).toBeLessThan(0.02);
    }
  });

  it('the same model gives the same bytes', () => {
    const once = () => encodeOnnxModel(quantizeDynamic(decodeOnnxModel(tinyModel('text-encoder'))).model);
    expect(Buffer.compare(Buffer.from(once()), Buffer.from(once()))).toBe(0);
  });

  it('refuses a model with nothing to quantize, naming the ops it has', () => {
    const hifigan = decodeOnnxModel(tinyModel('hifigan'));
    expect(() => quantizeDynamic(hifigan)).toThrow(PrecisionError);
    expect(() => quantizeDynamic(hifigan)).toThrow(/no node to quantize.*Conv ×26.*ConvTranspose ×4/);
    expect(() => quantizeDynamic(decodeOnnxModel(readFileSync(SILERO_V5)))).toThrow(/If ×1.*If\/Loop\/Scan/);
  });

  it('refuses a model whose weights sit mostly in ops it leaves float32, unless allowPartial', () => {
    const rvc = decodeOnnxModel(tinyModel('rvc'));
    expect(() => quantizeDynamic(rvc)).toThrow(
      /only 1\d\.\d % of the compute weights.*Conv, ConvTranspose.*allowPartial/,
    );
    const { report } = quantizeDynamic(rvc, { allowPartial: true });
    expect(report.quantized.length).toBe(2);
    expect(report.quantizedWeightShare).toBeLessThan(0.5);
    expect(report.skipped.filter((s) => s.op === 'Conv').length).toBe(35);
    expect(report.skipped[0].reason).toMatch(/not handled by dynamic quantization/);
  });

  it('lists attention products and excluded nodes as skipped, with the reason', () => {
    const model = decodeOnnxModel(tinyModel('vallex-ar'));
    const first = model.graph.nodes.find((n) => n.opType === 'MatMul' && n.name.includes('q'))!;
    const { report } = quantizeDynamic(model, { excludeNodes: [first.name] });
    expect(report.skipped).toContainEqual({ node: first.name, op: 'MatMul', reason: 'excluded by options' });
    expect(report.skipped.some((s) => /activation product/.test(s.reason))).toBe(true);
  });
});
