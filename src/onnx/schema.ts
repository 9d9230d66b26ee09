/**
 * The subset of the ONNX protobuf schema (onnx/onnx.proto) that reel writes: ModelProto,
 * GraphProto, NodeProto, AttributeProto, TensorProto (raw_data, little-endian) and
 * ValueInfoProto with symbolic dims. Field numbers are the schema's own.
 */
import type { Dim } from '../core/contract.ts';
import type { TensorDType } from '../core/types.ts';
import { FieldWriter } from './edit/wire.ts';

/** TensorProto.DataType numbers. */
export const ONNX_DTYPE: Readonly<Record<TensorDType, number>> = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
};

export const DTYPE_FROM_ONNX: Readonly<Record<number, TensorDType | string>> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

export type TensorValues = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

export interface TensorDef {
  name: string;
  dtype: TensorDType;
  dims: readonly number[];
  data: TensorValues;
}

/** An attribute value; plain integers are INT, other numbers FLOAT, `{ float }` forces FLOAT. */
export type AttrValue =
  | number
  | { float: number }
  | readonly number[]
  | { floats: readonly number[] }
  | string
  | TensorDef;

export interface NodeDef {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  attributes?: Readonly<Record<string, AttrValue>>;
}

export interface ValueInfo {
  name: string;
  dtype: TensorDType;
  shape: readonly Dim[];
  doc?: string;
}

export interface GraphDef {
  name: string;
  nodes: readonly NodeDef[];
  initializers: readonly TensorDef[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  doc?: string;
}

export interface ModelDef {
  graph: GraphDef;
  /** Default-domain opset version. */
  opset: number;
  /** ONNX IR version; 8 pairs with opsets 17–18. */
  irVersion: number;
  producerName: string;
  producerVersion: string;
  doc?: string;
  metadata?: Readonly<Record<string, string>>;
}

function tensorBytes(t: TensorDef): Uint8Array {
  // Typed arrays are little-endian on every platform Node runs on, as raw_data requires.
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

function writeTensor(w: FieldWriter, t: TensorDef): void {
  w.repeatedVarints(1, t.dims, true);
  w.varint(2, ONNX_DTYPE[t.dtype]);
  w.string(8, t.name);
  w.bytes(9, tensorBytes(t));
}

function writeAttribute(w: FieldWriter, name: string, v: AttrValue): void {
  w.string(1, name);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) w.varint(3, v).varint(20, 2);
    else w.float(2, v).varint(20, 1);
  } else if (typeof v === 'string') {
    w.string(4, v).varint(20, 3);
  } else if (Array.isArray(v)) {
    const ints = v as readonly number[];
    if (ints.every(Number.isInteger)) w.repeatedVarints(8, ints, true).varint(20, 7);
    else w.repeatedFloats(7, ints, true).varint(20, 6);
  } else if ('float' in v) {
    w.float(2, v.float).varint(20, 1);
  } else if ('floats' in v) {
    w.repeatedFloats(7, v.floats, true).varint(20, 6);
  } else {
    const t = v as TensorDef;
    w.message(5, (tw) => writeTensor(tw, t)).varint(20, 4);
  }
}

function writeValueInfo(w: FieldWriter, v: ValueInfo): void {
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.varint(1, ONNX_DTYPE[v.dtype]);
      tensor.message(2, (shape) => {
        for (const d of v.shape) {
          shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
        }
      });
    }),
  );
  if (v.doc) w.string(3, v.doc);
}

function writeNode(w: FieldWriter, n: NodeDef): void {
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, (a) => writeAttribute(a, k, v));
}

function writeGraph(w: FieldWriter, g: GraphDef): void {
  for (const n of g.nodes) w.message(1, (nw) => writeNode(nw, n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, (tw) => writeTensor(tw, t));
  if (g.doc) w.string(10, g.doc);
  for (const v of g.inputs) w.message(11, (vw) => writeValueInfo(vw, v));
  for (const v of g.outputs) w.message(12, (vw) => writeValueInfo(vw, v));
}

/** Serializes a model to ONNX protobuf bytes; equal inputs give equal bytes. */
export function encodeModel(m: ModelDef): Uint8Array {
  const w = new FieldWriter();
  w.varint(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.doc) w.string(6, m.doc);
  w.message(7, (gw) => writeGraph(gw, m.graph));
  w.message(8, (ow) => ow.string(1, '').varint(2, m.opset));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, (mw) => mw.string(1, k).string(2, v));
  return w.finish();
}
