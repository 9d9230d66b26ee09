/**
 * FP16 conversion: every tiny reference model and both pretrained ones load and run on
 * onnxruntime-node's CPU provider, keep float32 graph inputs and outputs, and stay near float32.
 *
 * Error bound: relative RMS error of every float output ≤ 0.01. Measured 3e-5 (wav2lip) to
 * 3.9e-3 (vallex-codec); float16 keeps 11 significant bits (≈ 5e-4 per rounding), and the
 * conv/attention stacks add up a few dozen roundings.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FAMILY_IDS } from '../../models/manifests/index.ts';
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { decodeOnnxModel } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../src/onnx/edit/encode.ts';
import { float16Bits, float16Value } from '../../src/onnx/edit/float16.ts';
import { makeTensorValueInfo } from '../../src/onnx/edit/graph.ts';
import type { OnnxModel } from '../../src/onnx/edit/types.ts';
import { convertFp16 } from '../../src/onnx/precision/fp16.ts';
import { RFB_320, SILERO_V5, randomFeeds, relativeErrors, run, tinyModel, worst } from './precision-fixtures.ts';

const BOUND = 0.01;

const ioTypes = (m: OnnxModel) => [...m.graph.inputs, ...m.graph.outputs].map((v) => v.type?.tensor?.elemType);

describe('convertFp16', () => {
  it.each(FAMILY_IDS)('tiny %s: float16 weights and compute, float32 I/O, within the bound', async (family) => {
    const bytes = tinyModel(family);
    const source = decodeOnnxModel(bytes);
    const { model, report } = convertFp16(source);
    expect(ioTypes(model)).toEqual(ioTypes(source));
    expect(model.graph.initializers.some((t) => t.dataType === 10)).toBe(true);
    expect(model.graph.initializers.some((t) => t.dataType === 1 && t.dims.length >= 2)).toBe(false);
    expect(report.converted.length).toBeGreaterThan(0);
    const fp16 = encodeOnnxModel(model);
    expect(fp16.length).toBeLessThan(bytes.length * 0.6 + 2048);
    const feeds = randomFeeds(family, 99);
    expect(worst(relativeErrors(await run(bytes, feeds), await run(fp16, feeds)))).toBeLessThan(BOUND);
  });

  it('the RFB-320 detector (opset 9, weights listed as inputs) runs in float16', async () => {
    const bytes = readFileSync(RFB_320);
    const { model } = convertFp16(decodeOnnxModel(bytes));
    const weightInput = model.graph.inputs.find((v) => v.name !== 'input')!;
    expect(weightInput.type?.tensor?.elemType).toBe(10);
    const feeds = {
      input: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 230400 }, (_, i) => Math.sin(i)),
        [1, 3, 240, 320],
      ),
    };
    expect(worst(relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(model), feeds)))).toBeLessThan(
      BOUND,
    );
  });

  it('Silero v5 keeps its If (and what the bodies read) in float32 and still runs', async () => {
    const bytes = readFileSync(SILERO_V5);
    const { model, report } = convertFp16(decodeOnnxModel(bytes));
    expect(report.blocked).toEqual([{ node: 'If_0', op: 'If', reason: 'has subgraphs (kept float32 inside)' }]);
    const feeds = {
      input: new ort.Tensor(
        'float32',
        Float32Array.from({ length: 512 }, (_, i) => Math.sin(i / 5) * 0.3),
        [1, 512],
      ),
      state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
      sr: new ort.Tensor('int64', BigInt64Array.of(16000n), []),
    };
    expect(worst(relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(model), feeds)))).toBeLessThan(
      BOUND,
    );
  });

  it('keeps blocked ops in float32 between Casts, and reports them', async () => {
    const bytes = tinyModel('vae');
    const { model, report } = convertFp16(decodeOnnxModel(bytes), { blockOps: ['Resize', 'Sigmoid'] });
    expect(report.blocked.map((b) => b.op).sort()).toEqual([...Array(3).fill('Resize'), ...Array(5).fill('Sigmoid')]);
    expect(report.castsAdded).toBeGreaterThan(8);
    const resize = model.graph.nodes.find((n) => n.opType === 'Resize')!;
    const producer = model.graph.nodes.find((n) => n.outputs.includes(resize.inputs[0]))!;
    expect(producer.opType).toBe('Cast');
    const feeds = randomFeeds('vae', 4);
    expect(worst(relativeErrors(await run(bytes, feeds), await run(encodeOnnxModel(model), feeds)))).toBeLessThan(
      BOUND,
    );
  });

  it('converts Constant node tensors and Cast targets too', async () => {
    const b = new GraphBuilder('constants', 'c');
    const x = b.input('x', 'float32', [3]);
    const k = b.op('Constant', [], {
      value: { name: 'k', dtype: 'float32', dims: [3], data: Float32Array.of(0.5, 2, -4) },
    });
    const n = b.cast(
      b.op('Constant', [], { value: { name: 'n', dtype: 'int64', dims: [1], data: BigInt64Array.of(3n) } }),
      'float32',
    );
    b.output(b.add(b.mul(x, k), n), 'y', 'float32', [3]);
    const { model, report } = convertFp16(decodeOnnxModel(b.model()));
    expect(report.converted.length).toBe(5);
    const constant = model.graph.nodes.find(
      (node) => node.opType === 'Constant' && node.attributes[0].t?.name === 'k',
    )!;
    expect(constant.attributes[0].t?.dataType).toBe(10);
    const y = await run(encodeOnnxModel(model), { x: new ort.Tensor('float32', Float32Array.of(1, 2, 3), [3]) });
    expect(Array.from(y.y.data as Float32Array)).toEqual([3.5, 7, -9]);
  });

  it('retypes value_info of converted tensors, so that the model still loads', async () => {
    const source = decodeOnnxModel(tinyModel('hifigan'));
    const inner = source.graph.nodes[0].outputs[0];
    source.graph.valueInfo.push(makeTensorValueInfo(inner, 1));
    const { model } = convertFp16(source);
    expect(model.graph.valueInfo[0].type?.tensor?.elemType).toBe(10);
    const feeds = randomFeeds('hifigan', 2);
    expect(
      worst(relativeErrors(await run(tinyModel('hifigan'), feeds), await run(encodeOnnxModel(model), feeds))),
    ).toBeLessThan(BOUND);
  });

  it('the same model gives the same bytes', () => {
    const once = () => encodeOnnxModel(convertFp16(decodeOnnxModel(tinyModel('dit'))).model);
    expect(Buffer.compare(Buffer.from(once()), Buffer.from(once()))).toBe(0);
  });
});

describe('float16 bits', () => {
  it('rounds to nearest even, saturates to Inf, keeps subnormals', () => {
    expect(float16Bits(1)).toBe(0x3c00);
    expect(float16Bits(-2)).toBe(0xc000);
    expect(float16Bits(65504)).toBe(0x7bff);
    expect(float16Bits(65520)).toBe(0x7c00);
    expect(float16Bits(2 ** -24)).toBe(1);
    expect(float16Bits(2 ** -26)).toBe(0);
    expect(float16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(float16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(Number.isNaN(float16Value(float16Bits(Number.NaN)))).toBe(true);
    for (const v of [0.1, -3.3, 1000.5, 6e-5])
      expect(Math.abs(float16Value(float16Bits(v)) - v)).toBeLessThan(Math.abs(v) * 2 ** -11);
  });
});
