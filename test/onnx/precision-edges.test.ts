/**
 * Edges the review of the precision code found: a 2-D strided ConvTranspose is left as it is in a
 * model below opset 11 (its polyphase interleave needs DepthToSpace-11, which such a model cannot
 * load), int32_data carries negative int8/int32 values as two's complement varints, and ops whose
 * outputs differ in type from their first input are typed by their own rule (what FP16 casts by).
 */
import { describe, expect, it } from 'vitest';
import { decodeTensor } from '../../src/onnx/edit/decode.ts';
import { inferElemTypes } from '../../src/onnx/edit/elem-types.ts';
import { makeIntsAttr, makeNode, makeTensorValueInfo } from '../../src/onnx/edit/graph.ts';
import type { OnnxGraph } from '../../src/onnx/edit/types.ts';
import { makeTensor, tensorValues } from '../../src/onnx/edit/tensor-data.ts';
import { phaseConvSpec } from '../../src/onnx/precision/conv-transpose.ts';
import { FieldWriter } from '../../src/onnx/edit/wire.ts';

describe('precision edges', () => {
  it('writes a 2-D strided ConvTranspose as phase convs from opset 11 only; 1-D at any opset', () => {
    const weight2d = makeTensor('w', 1, [4, 3, 4, 4], new Float32Array(4 * 3 * 16));
    const node2d = makeNode({
      opType: 'ConvTranspose',
      name: 'up',
      inputs: ['x', 'w'],
      outputs: ['y'],
      attributes: [makeIntsAttr('strides', [2, 2]), makeIntsAttr('pads', [1, 1, 1, 1])],
    });
    expect(typeof phaseConvSpec(node2d, weight2d, 13)).toBe('object');
    expect(typeof phaseConvSpec(node2d, weight2d, 11)).toBe('object');
    expect(phaseConvSpec(node2d, weight2d, 10)).toBe(
      '2-D ConvTranspose in an opset-10 model (its interleave needs opset 11)',
    );
    const weight1d = makeTensor('w', 1, [4, 3, 4], new Float32Array(4 * 3 * 4));
    const node1d = makeNode({
      opType: 'ConvTranspose',
      name: 'up',
      inputs: ['x', 'w'],
      outputs: ['y'],
      attributes: [makeIntsAttr('strides', [2]), makeIntsAttr('pads', [1, 1])],
    });
    expect(typeof phaseConvSpec(node1d, weight1d, 9)).toBe('object');
  });

  it('reads negative int8 and int32 values from int32_data', () => {
    for (const [dataType, values] of [
      [3, [-1, 5, -128, 127]], // int8
      [6, [-2147483648, -7, 0, 2147483647]], // int32
    ] as const) {
      const w = new FieldWriter();
      w.repeatedVarints(1, [4], true); // dims
      w.varint(2, dataType);
      w.repeatedVarints(
        5,
        values.map((v) => BigInt.asUintN(64, BigInt(v))),
        true,
      ); // int32_data, as protobuf writes negatives
      w.string(8, 't');
      expect(Array.from(tensorValues(decodeTensor(w.finish())) as ArrayLike<number>)).toEqual([...values]);
    }
  });
});

describe('element types of multi-output and mixed-type ops', () => {
  it('types MaxPool indices int64, a Dropout mask bool and OneHot by its values', () => {
    const graph: OnnxGraph = {
      name: 'g',
      initializers: [],
      inputs: [
        makeTensorValueInfo('x', 1),
        makeTensorValueInfo('ids', 7),
        makeTensorValueInfo('depth', 7),
        makeTensorValueInfo('values', 10),
      ],
      outputs: [],
      valueInfo: [],
      rest: [],
      nodes: [
        makeNode({ opType: 'MaxPool', name: 'pool', inputs: ['x'], outputs: ['pooled', 'where'] }),
        makeNode({ opType: 'Dropout', name: 'drop', inputs: ['x'], outputs: ['kept', 'mask'] }),
        makeNode({ opType: 'OneHot', name: 'hot', inputs: ['ids', 'depth', 'values'], outputs: ['onehot'] }),
      ],
    };
    const types = inferElemTypes(graph);
    expect([types.get('pooled'), types.get('where')]).toEqual([1, 7]);
    expect([types.get('kept'), types.get('mask')]).toEqual([1, 9]);
    expect(types.get('onehot')).toBe(10);
  });
});
