/**
 * Reads what reel needs from ONNX protobuf bytes — declared inputs/outputs with symbolic dims,
 * opset, producer, initializer sizes — without decoding weight data. Works on any exporter's
 * output, including old ones that list every weight as a graph input too.
 */
import {
  fieldMessages,
  fieldString,
  fieldVarint,
  readFields,
  repeatedVarints,
  ProtoDecodeError,
  type ProtoField,
} from './protobuf.ts';
import { DTYPE_FROM_ONNX } from './schema.ts';

export interface TensorInfo {
  name: string;
  /** onnxruntime's dtype name (`float32`, `int64`, …), or `unknown` when the file gives none. */
  dtype: string;
  /** Fixed sizes as numbers, symbolic dims as their names, unnamed dynamic dims as `?`. */
  shape: (number | string)[];
}

export interface ModelSummary {
  /** Inputs a caller must feed (graph inputs without an initializer). */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** Version of the default (ai.onnx) operator set. */
  opset: number;
  irVersion: number;
  /** `name version` of the exporter, e.g. `pytorch 1.2.0`. */
  producer: string;
  /** Elements in all initializers. */
  parameterCount: number;
  /** Graph inputs that also have an initializer (weights listed as inputs by old exporters). */
  initializerInputs: string[];
  nodeCount: number;
  metadata: Record<string, string>;
}

function decodeValueInfo(bytes: Uint8Array): TensorInfo {
  const f = readFields(bytes);
  const name = fieldString(f, 1) ?? '';
  const [type] = fieldMessages(f, 2);
  let dtype = 'unknown';
  const shape: (number | string)[] = [];
  if (type) {
    const [tensor] = fieldMessages(readFields(type), 1);
    if (tensor) {
      const tf = readFields(tensor);
      const elem = fieldVarint(tf, 1);
      if (elem !== undefined) dtype = DTYPE_FROM_ONNX[Number(elem)] ?? `onnx-type-${elem}`;
      const [shapeMsg] = fieldMessages(tf, 2);
      if (shapeMsg) {
        for (const dimBytes of fieldMessages(readFields(shapeMsg), 1)) {
          const df = readFields(dimBytes);
          const value = fieldVarint(df, 1);
          shape.push(value !== undefined ? Number(value) : (fieldString(df, 2) ?? '?'));
        }
      }
    }
  }
  return { name, dtype, shape };
}

function initializerSizes(graph: readonly ProtoField[]): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const t of fieldMessages(graph, 5)) {
    const tf = readFields(t);
    const dims = repeatedVarints(tf, 1);
    sizes.set(
      fieldString(tf, 8) ?? '',
      dims.reduce((n, d) => n * Number(d), 1),
    );
  }
  return sizes;
}

/** Decodes a ModelProto's summary; throws ProtoDecodeError when the bytes are not one. */
export function decodeModelSummary(bytes: Uint8Array): ModelSummary {
  const model = readFields(bytes);
  const irVersion = fieldVarint(model, 1);
  const [graphBytes] = fieldMessages(model, 7);
  if (irVersion === undefined || !graphBytes) {
    throw new ProtoDecodeError('no ir_version or graph field: this is not an ONNX ModelProto');
  }
  const graph = readFields(graphBytes);
  const sizes = initializerSizes(graph);
  const declared = fieldMessages(graph, 11).map(decodeValueInfo);
  let opset = 0;
  for (const o of fieldMessages(model, 8)) {
    const of = readFields(o);
    const domain = fieldString(of, 1) ?? '';
    if (domain === '' || domain === 'ai.onnx') opset = Number(fieldVarint(of, 2) ?? 0);
  }
  const metadata: Record<string, string> = {};
  for (const m of fieldMessages(model, 14)) {
    const mf = readFields(m);
    metadata[fieldString(mf, 1) ?? ''] = fieldString(mf, 2) ?? '';
  }
  return {
    inputs: declared.filter((i) => !sizes.has(i.name)),
    outputs: fieldMessages(graph, 12).map(decodeValueInfo),
    opset,
    irVersion: Number(irVersion),
    producer: [fieldString(model, 2), fieldString(model, 3)].filter(Boolean).join(' '),
    parameterCount: [...sizes.values()].reduce((a, b) => a + b, 0),
    initializerInputs: declared.filter((i) => sizes.has(i.name)).map((i) => i.name),
    nodeCount: fieldMessages(graph, 1).length,
    metadata,
  };
}
