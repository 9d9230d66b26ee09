/**
 * A protobuf writer for whole models: large byte fields (weights) are kept as views and copied
 * once, at `finish`, instead of at every nesting level; any decoded field can be written back
 * as it was read. Output is fully determined by call order.
 */
import { type ProtoField, WIRE_32BIT, WIRE_LEN, WIRE_VARINT } from '../protobuf.ts';

/** Small writes collect in a scratch buffer that grows to this size before it is cut into a chunk. */
const SCRATCH_MAX = 4096;
const SCRATCH_MIN = 64;

export class FieldWriter {
  private readonly chunks: Uint8Array[] = [];
  // Many messages are a few bytes (attributes, dims): their scratch starts small.
  private scratch = new Uint8Array(SCRATCH_MIN);
  private used = 0;
  private flushed = 0;

  get length(): number {
    return this.flushed + this.used;
  }

  private flushScratch(): void {
    if (this.used === 0) return;
    this.chunks.push(this.scratch.subarray(0, this.used));
    this.flushed += this.used;
    this.scratch = new Uint8Array(SCRATCH_MIN);
    this.used = 0;
  }

  private small(n: number): void {
    const need = this.used + n;
    if (need <= this.scratch.length) return;
    if (need <= SCRATCH_MAX) {
      const grown = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(need, this.scratch.length * 2)));
      grown.set(this.scratch.subarray(0, this.used));
      this.scratch = grown;
      return;
    }
    this.flushScratch();
    if (n > this.scratch.length) this.scratch = new Uint8Array(Math.min(SCRATCH_MAX, Math.max(n, SCRATCH_MIN)));
  }

  private rawVarint(value: bigint | number): void {
    this.small(10);
    // int64 negatives are their 64-bit two's complement (10 bytes), as protobuf writes them.
    if (typeof value === 'number' && value >= 0 && value < 2 ** 31) {
      let v = value;
      while (v >= 0x80) {
        this.scratch[this.used++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      this.scratch[this.used++] = v;
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.scratch[this.used++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[this.used++] = Number(v);
  }

  private tag(field: number, wire: number): void {
    this.rawVarint(field * 8 + wire);
  }

  private append(data: Uint8Array): void {
    if (data.length <= 256) {
      this.small(data.length);
      this.scratch.set(data, this.used);
      this.used += data.length;
      return;
    }
    this.flushScratch();
    this.chunks.push(data);
    this.flushed += data.length;
  }

  varint(field: number, value: bigint | number): this {
    this.tag(field, WIRE_VARINT);
    this.rawVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_32BIT);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.append(b);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LEN);
    this.rawVarint(value.length);
    this.append(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A nested message; its chunks are moved, not copied. */
  message(field: number, build: (w: FieldWriter) => void): this {
    const inner = new FieldWriter();
    build(inner);
    inner.flushScratch();
    this.tag(field, WIRE_LEN);
    this.rawVarint(inner.length);
    this.flushScratch();
    for (const c of inner.chunks) this.chunks.push(c);
    this.flushed += inner.length;
    return this;
  }

  /** Writes a field exactly as `readFields` returned it. */
  raw(f: ProtoField): this {
    if (f.wire === WIRE_VARINT) return this.varint(f.field, f.varint ?? 0n);
    this.tag(f.field, f.wire);
    if (f.wire === WIRE_LEN) this.rawVarint(f.bytes?.length ?? 0);
    this.append(f.bytes ?? new Uint8Array(0));
    return this;
  }

  /** Repeated int64 values, packed or one field each. An empty packed list is still written when asked. */
  repeatedVarints(field: number, values: readonly (bigint | number)[], packed: boolean): this {
    if (!packed) {
      for (const v of values) this.varint(field, v);
      return this;
    }
    const inner = new FieldWriter();
    for (const v of values) inner.rawVarint(v);
    return this.bytes(field, inner.finish());
  }

  repeatedFloats(field: number, values: readonly number[], packed: boolean): this {
    if (!packed) {
      for (const v of values) this.float(field, v);
      return this;
    }
    const data = new Uint8Array(values.length * 4);
    const view = new DataView(data.buffer);
    values.forEach((v, i) => view.setFloat32(i * 4, v, true));
    return this.bytes(field, data);
  }

  finish(): Uint8Array {
    this.flushScratch();
    const out = new Uint8Array(this.flushed);
    let pos = 0;
    for (const c of this.chunks) {
      out.set(c, pos);
      pos += c.length;
    }
    return out;
  }
}

/** One field to write, keyed by its number so known and kept fields interleave as they were read. */
export interface FieldEntry {
  field: number;
  write: (w: FieldWriter) => void;
}

/**
 * Writes entries in field-number order (stable, so repeated fields keep their order). Writers
 * that follow the schema (protobuf C++, reel's own) emit fields in ascending number order, which
 * is what makes decode → encode byte-identical.
 */
export function writeEntries(w: FieldWriter, entries: FieldEntry[], rest: readonly ProtoField[]): void {
  const all = [...entries, ...rest.map((f) => ({ field: f.field, write: (x: FieldWriter) => void x.raw(f) }))];
  all.sort((a, b) => a.field - b.field);
  for (const e of all) e.write(w);
}
