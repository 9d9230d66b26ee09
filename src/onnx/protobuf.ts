/**
 * The few protobuf wire-format primitives the ONNX schema needs: varints, length-delimited
 * fields and packed repeated scalars. Hand-written so that reel builds and reads ONNX files with
 * no Python and no codegen; byte output is fully determined by call order (deterministic models).
 */

const WIRE_VARINT = 0;
const WIRE_64BIT = 1;
const WIRE_LEN = 2;
const WIRE_32BIT = 5;

/** Appends protobuf fields to a growing buffer. */
export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private rawVarint(value: bigint | number): void {
    // Negative int64 values are encoded as their 64-bit two's complement (10 bytes).
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buf[this.len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.len++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint((field << 3) | wire);
  }

  varint(field: number, value: bigint | number): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_32BIT);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, value, true);
    this.len += 4;
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.len);
    this.len += value.length;
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  packedVarints(field: number, values: readonly (bigint | number)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, data);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** One decoded field: varints as bigint, length-delimited as a byte view, fixed as raw bytes. */
export interface ProtoField {
  field: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
}

/** Thrown on malformed wire data; callers wrap it with the file name. */
export class ProtoDecodeError extends Error {}

/** Splits one message into its fields, checking every length against the buffer. */
export function readFields(data: Uint8Array): ProtoField[] {
  const fields: ProtoField[] = [];
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= data.length) throw new ProtoDecodeError(`truncated varint at byte ${pos}`);
      const b = data[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 70n) throw new ProtoDecodeError(`varint too long at byte ${pos}`);
    }
  };
  while (pos < data.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError(`field number 0 at byte ${pos}`);
    switch (wire) {
      case WIRE_VARINT:
        fields.push({ field, wire, varint: varint() });
        break;
      case WIRE_64BIT:
      case WIRE_32BIT: {
        const n = wire === WIRE_64BIT ? 8 : 4;
        if (pos + n > data.length) throw new ProtoDecodeError(`truncated fixed field ${field}`);
        fields.push({ field, wire, bytes: data.subarray(pos, pos + n) });
        pos += n;
        break;
      }
      case WIRE_LEN: {
        const n = Number(varint());
        if (pos + n > data.length) {
          throw new ProtoDecodeError(`field ${field} claims ${n} bytes but only ${data.length - pos} remain`);
        }
        fields.push({ field, wire, bytes: data.subarray(pos, pos + n) });
        pos += n;
        break;
      }
      default:
        throw new ProtoDecodeError(`unsupported wire type ${wire} (field ${field}) at byte ${pos}`);
    }
  }
  return fields;
}

/** Reads a packed or unpacked repeated varint field's values. */
export function repeatedVarints(fields: readonly ProtoField[], field: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.field !== field) continue;
    if (f.varint !== undefined) out.push(f.varint);
    else if (f.bytes && f.wire === WIRE_LEN) out.push(...readPackedVarints(f.bytes));
  }
  return out;
}

function readPackedVarints(data: Uint8Array): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < data.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= data.length) throw new ProtoDecodeError('truncated packed varint');
      const b = data[pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) break;
      shift += 7n;
    }
    out.push(result);
  }
  return out;
}

export function fieldString(fields: readonly ProtoField[], field: number): string | undefined {
  const f = fields.find((x) => x.field === field && x.bytes);
  return f?.bytes ? new TextDecoder().decode(f.bytes) : undefined;
}

export function fieldVarint(fields: readonly ProtoField[], field: number): bigint | undefined {
  return fields.find((x) => x.field === field && x.varint !== undefined)?.varint;
}

export function fieldMessages(fields: readonly ProtoField[], field: number): Uint8Array[] {
  return fields.filter((x) => x.field === field && x.wire === WIRE_LEN).map((x) => x.bytes!);
}
