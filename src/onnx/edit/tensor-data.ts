/**
 * A TensorProto's elements: read from raw_data or the typed fields (float_data, int32_data,
 * int64_data, double_data, uint64_data) as the schema assigns them per data type, and written
 * back as raw_data.
 */
import { type ProtoField, ProtoDecodeError, readPackedVarints } from '../protobuf.ts';
import { DTYPE_FROM_ONNX, ONNX_DTYPE } from '../schema.ts';
import { ModelProtoError } from './errors.ts';
import type { OnnxTensor, OnnxTensorValues } from './types.ts';

/** TensorProto fields that hold (or locate) the elements; replaced together when values change. */
export const tensorPayloadFields: ReadonlySet<number> = new Set([4, 5, 6, 7, 9, 10, 11, 13, 14]);

const FIELD = { floatData: 4, int32Data: 5, stringData: 6, int64Data: 7, rawData: 9, doubleData: 10, uint64Data: 11 };

/** A varint of `field` as its value: int64_data and int32_data (int8…int32) are signed two's complement. */
function signed(field: number, v: bigint): bigint {
  if (field === FIELD.int64Data) return BigInt.asIntN(64, v);
  if (field === FIELD.int32Data) return BigInt.asIntN(32, v);
  return v;
}
const DATA_LOCATION = 14;
const EXTERNAL_DATA = 13;

type ArrayKind = { new (n: number): OnnxTensorValues; BYTES_PER_ELEMENT: number };

const ARRAY_OF_DTYPE: Readonly<Record<number, ArrayKind>> = {
  1: Float32Array,
  2: Uint8Array,
  3: Int8Array,
  4: Uint16Array,
  5: Int16Array,
  6: Int32Array,
  7: BigInt64Array,
  9: Uint8Array,
  10: Uint16Array,
  11: Float64Array,
  12: Uint32Array,
  13: BigUint64Array,
  16: Uint16Array,
};

/** The typed field each data type uses when raw_data is absent (onnx.proto's comments). */
const TYPED_FIELD: Readonly<Record<number, number>> = {
  1: FIELD.floatData,
  2: FIELD.int32Data,
  3: FIELD.int32Data,
  4: FIELD.int32Data,
  5: FIELD.int32Data,
  6: FIELD.int32Data,
  9: FIELD.int32Data,
  10: FIELD.int32Data,
  16: FIELD.int32Data,
  7: FIELD.int64Data,
  11: FIELD.doubleData,
  12: FIELD.uint64Data,
  13: FIELD.uint64Data,
};

export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function dtypeName(dataType: number): string {
  return DTYPE_FROM_ONNX[dataType] ?? `onnx type ${dataType}`;
}

function typedValues(t: OnnxTensor, kind: ArrayKind, count: number): OnnxTensorValues {
  const field = TYPED_FIELD[t.dataType];
  const out = new kind(count);
  let n = 0;
  const put = (v: number | bigint): void => {
    if (n >= count) throw new ModelProtoError(`tensor "${t.name}": more values than its dims [${t.dims}] hold`);
    if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[n++] = BigInt(v) as never;
    else (out as Float32Array)[n++] = Number(v);
  };
  for (const f of t.rest) {
    if (f.field !== field) continue;
    const bytes = f.bytes ?? new Uint8Array(0);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (field === FIELD.floatData) for (let i = 0; i + 4 <= bytes.length; i += 4) put(view.getFloat32(i, true));
    else if (field === FIELD.doubleData) for (let i = 0; i + 8 <= bytes.length; i += 8) put(view.getFloat64(i, true));
    else if (f.varint !== undefined) put(signed(field, f.varint));
    else for (const v of packedVarints(t, f)) put(signed(field, v));
  }
  if (n !== count) throw new ModelProtoError(`tensor "${t.name}": ${n} values for dims [${t.dims}] (${count})`);
  // int32_data carries narrower types as int32: the assignment above truncated them to their width.
  return out;
}

function packedVarints(t: OnnxTensor, f: ProtoField): bigint[] {
  try {
    return readPackedVarints(f.bytes ?? new Uint8Array(0), f.field);
  } catch (cause) {
    if (!(cause instanceof ProtoDecodeError)) throw cause;
    throw new ModelProtoError(`tensor "${t.name}": ${cause.message}`, { cause });
  }
}

/**
 * The tensor's elements as a fresh typed array (float16/bfloat16 as bit patterns). Throws
 * ModelProtoError for external data, strings, and data types with no typed array.
 */
export function tensorValues(t: OnnxTensor): OnnxTensorValues {
  if (t.values) return t.values;
  const external = t.rest.some((f) => (f.field === DATA_LOCATION && f.varint === 1n) || f.field === EXTERNAL_DATA);
  if (external)
    throw new ModelProtoError(
      `tensor "${t.name}" keeps its data in an external file; reel edits models with their weights inside the .onnx file (save it with all tensors in one file)`,
    );
  const kind = ARRAY_OF_DTYPE[t.dataType];
  if (!kind) throw new ModelProtoError(`tensor "${t.name}": cannot read elements of type ${dtypeName(t.dataType)}`);
  const count = elementCount(t.dims);
  const raw = t.rest.find((f) => f.field === FIELD.rawData && f.bytes);
  if (!raw?.bytes) return typedValues(t, kind, count);
  if (raw.bytes.length !== count * kind.BYTES_PER_ELEMENT)
    throw new ModelProtoError(
      `tensor "${t.name}": raw_data has ${raw.bytes.length} bytes, dims [${t.dims}] of ${dtypeName(t.dataType)} need ${count * kind.BYTES_PER_ELEMENT}`,
    );
  // Copied: raw_data may sit at any byte offset, and typed arrays need their element alignment.
  const out = new kind(count);
  new Uint8Array(out.buffer).set(raw.bytes);
  return out;
}

/** Float32 elements of a float32 tensor; anything else is a ModelProtoError. */
export function floatValues(t: OnnxTensor): Float32Array {
  if (t.dataType !== ONNX_DTYPE.float32)
    throw new ModelProtoError(`tensor "${t.name}" is ${dtypeName(t.dataType)}, expected float32`);
  return tensorValues(t) as Float32Array;
}

/** A new tensor that the encoder writes with raw_data. */
export function makeTensor(
  name: string,
  dataType: number,
  dims: readonly number[],
  values: OnnxTensorValues,
): OnnxTensor {
  if (values.length !== elementCount(dims))
    throw new ModelProtoError(`tensor "${name}": ${values.length} values for dims [${dims}]`);
  return { name, dataType, dims: [...dims], values, rest: [] };
}
