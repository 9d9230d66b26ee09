/**
 * An ONNX ModelProto in editable form. Only what reel edits is decoded (graph nodes,
 * initializers, declared values, opset imports); every other field stays as its raw protobuf
 * field in `rest`, so decode → encode of an untouched model gives the same bytes. Subgraphs
 * (If/Loop/Scan bodies) stay raw inside their attribute's `rest`.
 *
 * String fields use '' for "not written"; a string written empty stays in `rest`, so that it is
 * written back as it was.
 *
 * Byte views in a decoded model point into the bytes it was decoded from: do not mutate those.
 */
import type { ProtoField } from '../protobuf.ts';

/** How a repeated scalar field was written: packed in one length-delimited field, or one field per value. */
export type RepeatedLayout = 'packed' | 'unpacked';

export interface OnnxOpsetImport {
  /** '' (or 'ai.onnx') is the default operator set; 'com.microsoft' holds ORT's contrib ops. */
  domain: string;
  version: number;
  rest: ProtoField[];
}

export interface OnnxModel {
  irVersion: number;
  opsetImports: OnnxOpsetImport[];
  graph: OnnxGraph;
  /** producer, doc, metadata, functions, … as written. */
  rest: ProtoField[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  rest: ProtoField[];
}

export interface OnnxNode {
  opType: string;
  /** '' = the default domain. */
  domain: string;
  name: string;
  /** '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: OnnxAttribute[];
  rest: ProtoField[];
}

/** An AttributeProto; fields mirror the schema (`i` and `ints` are int64, hence bigint). */
export interface OnnxAttribute {
  name: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS. */
  type?: number;
  f?: number;
  i?: bigint;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: bigint[];
  strings?: Uint8Array[];
  floatsLayout?: RepeatedLayout;
  intsLayout?: RepeatedLayout;
  /** Subgraphs (g, graphs), sparse tensors, doc, … */
  rest: ProtoField[];
}

/** Typed-array view of a tensor's elements; float16 is its IEEE bit patterns. */
export type OnnxTensorValues =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Uint32Array;

export interface OnnxTensor {
  name: string;
  /** TensorProto.DataType (1 float32, 10 float16, 3 int8, …; see ONNX_DTYPE). */
  dataType: number;
  dims: number[];
  dimsLayout?: RepeatedLayout;
  /**
   * Replacement elements: when set, the encoder writes them as raw_data and drops the payload
   * fields found in `rest` (float_data, int64_data, raw_data, …). Read with `tensorValues`.
   */
  values?: OnnxTensorValues;
  /** Payload fields as decoded, plus doc, segment, external data markers, … */
  rest: ProtoField[];
}

/** A ValueInfoProto; only a tensor type's element type is decoded, its shape stays raw. */
export interface OnnxValueInfo {
  name: string;
  type?: OnnxTypeProto;
  rest: ProtoField[];
}

export interface OnnxTypeProto {
  tensor?: OnnxTensorType;
  /** Sequence, map, optional types, denotation. */
  rest: ProtoField[];
}

export interface OnnxTensorType {
  elemType?: number;
  /** The TensorShapeProto as written. */
  shape?: Uint8Array;
  rest: ProtoField[];
}
