/**
 * Element types of every tensor in the main graph, from what the file declares (inputs,
 * outputs, value_info, initializers) and, for the rest, from each op's typing rule — enough to
 * tell float32 tensors from the others without running shape inference.
 */
import { ONNX_DTYPE } from '../schema.ts';
import { decodeGraph } from './decode.ts';
import { findAttr, intAttr, topologicalOrder } from './graph.ts';
import type { OnnxGraph, OnnxNode } from './types.ts';

const BOOL_OUT = new Set([
  'Equal',
  'Less',
  'Greater',
  'LessOrEqual',
  'GreaterOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
]);
const INT64_OUT = new Set(['Shape', 'Size', 'NonZero', 'ArgMax', 'ArgMin', 'NonMaxSuppression']);

type Types = Map<string, number>;

function constantType(node: OnnxNode): number | undefined {
  for (const a of node.attributes) {
    if (a.name === 'value' && a.t) return a.t.dataType;
    if (a.name === 'value_float' || a.name === 'value_floats') return ONNX_DTYPE.float32;
    if (a.name === 'value_int' || a.name === 'value_ints') return ONNX_DTYPE.int64;
  }
  return undefined;
}

/** Output types of a subgraph-carrying node, read from its body's declared outputs. */
function subgraphOutputTypes(node: OnnxNode, attrName: string, skip: number): (number | undefined)[] {
  const attr = findAttr(node, attrName);
  const raw = attr?.rest.find((f) => f.field === 6)?.bytes;
  if (!raw) return [];
  return decodeGraph(raw)
    .outputs.slice(skip)
    .map((v) => v.type?.tensor?.elemType);
}

function outputTypes(node: OnnxNode, types: Types): (number | undefined)[] {
  const input = (i: number) => types.get(node.inputs[i] ?? '');
  const op = node.domain === '' || node.domain === 'ai.onnx' ? node.opType : `${node.domain}:${node.opType}`;
  if (BOOL_OUT.has(op)) return [ONNX_DTYPE.bool];
  if (INT64_OUT.has(op)) return [ONNX_DTYPE.int64];
  switch (op) {
    case 'Constant':
      return [constantType(node)];
    case 'Cast':
      return [intAttr(node, 'to', 0) || undefined];
    case 'CastLike':
      return [input(1)];
    case 'ConstantOfShape':
      return [findAttr(node, 'value')?.t?.dataType ?? ONNX_DTYPE.float32];
    case 'RandomNormal':
    case 'RandomUniform':
      return [intAttr(node, 'dtype', ONNX_DTYPE.float32)];
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
      return [findAttr(node, 'dtype')?.i !== undefined ? intAttr(node, 'dtype', 0) : input(0)];
    case 'Multinomial':
      return [intAttr(node, 'dtype', ONNX_DTYPE.int32)];
    case 'Where':
      return [input(1)];
    case 'QuantizeLinear':
      return [input(2) ?? (findAttr(node, 'output_dtype') ? intAttr(node, 'output_dtype', 0) : ONNX_DTYPE.uint8)];
    case 'DequantizeLinear':
      return [input(1)];
    case 'DynamicQuantizeLinear':
      return [ONNX_DTYPE.uint8, ONNX_DTYPE.float32, ONNX_DTYPE.uint8];
    case 'MatMulInteger':
    case 'ConvInteger':
      return [ONNX_DTYPE.int32];
    case 'TopK':
    case 'MaxPool': // its optional second output: the indices
      return [input(0), ONNX_DTYPE.int64];
    case 'Dropout': // its optional second output: the mask
      return [input(0), ONNX_DTYPE.bool];
    case 'OneHot': // the type of its `values` input, not of its indices
      return [input(2)];
    case 'Unique':
      return [input(0), ONNX_DTYPE.int64, ONNX_DTYPE.int64, ONNX_DTYPE.int64];
    case 'LayerNormalization':
      return [input(0), ONNX_DTYPE.float32, ONNX_DTYPE.float32];
    case 'If':
      return subgraphOutputTypes(node, 'then_branch', 0);
    case 'Loop':
      return subgraphOutputTypes(node, 'body', 1);
    case 'Scan':
      return subgraphOutputTypes(node, 'body', 0);
  }
  if (node.opType.startsWith('QLinear')) return [types.get(node.inputs[node.inputs.length - 1] ?? '')];
  const first = node.inputs.map((n) => types.get(n)).find((t) => t !== undefined);
  return node.outputs.map(() => first);
}

/** tensor name → TensorProto data type, for every tensor whose type is declared or follows from its op. */
export function inferElemTypes(graph: OnnxGraph): Map<string, number> {
  const types: Types = new Map();
  for (const t of graph.initializers) types.set(t.name, t.dataType);
  for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) {
    const e = v.type?.tensor?.elemType;
    if (e !== undefined && e !== 0 && !types.has(v.name)) types.set(v.name, e);
  }
  for (const node of topologicalOrder(graph)) {
    const out = outputTypes(node, types);
    node.outputs.forEach((name, i) => {
      const t = out[i];
      if (name !== '' && t !== undefined && !types.has(name)) types.set(name, t);
    });
  }
  return types;
}
