/**
 * Reading protobuf wire format: fields with their numbers, varints, length-delimited bytes and
 * packed repeated scalars. Hand-written so that reel builds and reads ONNX files with no Python
 * and no codegen; the writer is edit/wire.ts's FieldWriter.
 */

export const WIRE_VARINT = 0;
export const WIRE_64BIT = 1;
export const WIRE_LEN = 2;
export const WIRE_32BIT = 5;

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
    else if (f.bytes && f.wire === WIRE_LEN) out.push(...readPackedVarints(f.bytes, field));
  }
  return out;
}

/** The values of one packed repeated varint field (as unsigned 64-bit; callers sign them). */
export function readPackedVarints(data: Uint8Array, field: number): bigint[] {
  const out: bigint[] = [];
  let pos = 0;
  while (pos < data.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= data.length) throw new ProtoDecodeError(`truncated packed varint in field ${field}`);
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
