/** Whole-model decode/encode: byte-identical round trips, typed tensor fields, subgraphs, bad input. */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { FAMILY_IDS } from '../../models/manifests/index.ts';
import { decodeGraph, decodeOnnxModel, decodeTensor } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel, writeGraph } from '../../src/onnx/edit/encode.ts';
import { ModelProtoError } from '../../src/onnx/edit/errors.ts';
import { floatValues, tensorValues } from '../../src/onnx/edit/tensor-data.ts';
import { FieldWriter } from '../../src/onnx/edit/wire.ts';
import {
  RFB_320,
  SILERO_V5,
  randomFeeds,
  relativeErrors,
  run,
  sessionOptions,
  tinyModel,
} from './precision-fixtures.ts';

const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

describe('decodeOnnxModel → encodeOnnxModel', () => {
  it.each(FAMILY_IDS)('gives back the same bytes for the tiny %s reference model', (family) => {
    const bytes = tinyModel(family);
    expect(same(encodeOnnxModel(decodeOnnxModel(bytes)), bytes)).toBe(true);
  });

  it.each([
    ['the RFB-320 face detector (opset 9, weights listed as inputs, Constant nodes)', RFB_320],
    ['Silero VAD v5 (If subgraphs, typed int64_data, empty names)', SILERO_V5],
  ])('gives back the same bytes for %s', (_, path) => {
    const bytes = readFileSync(path);
    expect(same(encodeOnnxModel(decodeOnnxModel(bytes)), bytes)).toBe(true);
  });

  it("decodes Silero's If bodies and writes them back byte for byte", () => {
    const model = decodeOnnxModel(readFileSync(SILERO_V5));
    const bodies = model.graph.nodes.flatMap((n) => n.attributes.flatMap((a) => a.rest.filter((f) => f.field === 6)));
    expect(bodies.length).toBe(2);
    for (const body of bodies) {
      const g = decodeGraph(body.bytes!);
      expect(g.nodes.length).toBeGreaterThan(10);
      const w = new FieldWriter();
      writeGraph(w, g);
      expect(same(w.finish(), body.bytes!)).toBe(true);
    }
  });

  it('reads weights from raw_data and from typed fields', () => {
    const rfb = decodeOnnxModel(readFileSync(RFB_320));
    const w = rfb.graph.initializers.find((t) => t.dims.length === 4)!;
    expect(floatValues(w).length).toBe(w.dims.reduce((a, b) => a * b, 1));
    const silero = decodeOnnxModel(readFileSync(SILERO_V5));
    const constant = silero.graph.nodes.find((n) => n.opType === 'Constant')!.attributes[0].t!;
    expect(constant.dataType).toBe(7);
    expect(Array.from(tensorValues(constant) as BigInt64Array)).toEqual([16000n]);

    // float_data unpacked (one fixed32 field per value, as protobuf C++ writes proto2), float16 as int32_data.
    const floats = new FieldWriter().varint(1, 3).varint(2, 1).repeatedFloats(4, [1.5, -2, 0.25], false);
    expect(Array.from(floatValues(decodeTensor(floats.string(8, 'f').finish())))).toEqual([1.5, -2, 0.25]);
    const halves = new FieldWriter()
      .repeatedVarints(1, [2], true)
      .varint(2, 10)
      .repeatedVarints(5, [0x3c00, 0xc000], true);
    expect(Array.from(tensorValues(decodeTensor(halves.finish())) as Uint16Array)).toEqual([0x3c00, 0xc000]);
  });

  it('writes edited values as raw_data, and onnxruntime runs the edited model', async () => {
    const bytes = tinyModel('silero-vad');
    const model = decodeOnnxModel(bytes);
    const weight = model.graph.initializers.find((t) => t.dims.length === 2)!;
    weight.values = floatValues(weight).map((v) => v * 2);
    const edited = encodeOnnxModel(model);
    const again = decodeOnnxModel(edited).graph.initializers.find((t) => t.name === weight.name)!;
    expect(Array.from(floatValues(again))).toEqual(Array.from(weight.values));
    const feeds = randomFeeds('silero-vad', 1);
    const errors = relativeErrors(await run(bytes, feeds), await run(edited, feeds));
    expect(errors.output).toBeGreaterThan(0);
    await expect(ort.InferenceSession.create(edited, sessionOptions)).resolves.toBeDefined();
  });

  it('refuses external data with a message that says so', () => {
    const model = decodeOnnxModel(tinyModel('silero-vad'));
    const t = model.graph.initializers[0];
    const location = new FieldWriter().string(1, 'location').string(2, 'weights.bin').finish();
    t.rest = [
      { field: 13, wire: 2, bytes: location },
      { field: 14, wire: 0, varint: 1n },
    ];
    expect(() => tensorValues(t)).toThrow(/external file/);
  });

  it('says what is wrong with bytes that are no model', () => {
    expect(() => decodeOnnxModel(new TextEncoder().encode('not a model at all'))).toThrow(ModelProtoError);
    expect(() => decodeOnnxModel(tinyModel('hifigan').subarray(0, 5000))).toThrow(/malformed ONNX protobuf/);
  });
});
