/**
 * OnnxModel → ONNX bytes. Known fields and kept raw fields are written in field-number order, so
 * an untouched model comes back byte for byte (see wire.ts's writeEntries).
 */
import type { ProtoField } from '../protobuf.ts';
import { FieldWriter, writeEntries, type FieldEntry } from './wire.ts';
import { tensorPayloadFields } from './tensor-data.ts';
import type {
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpsetImport,
  OnnxTensor,
  OnnxTypeProto,
  OnnxValueInfo,
} from './types.ts';

const str = (field: number, value: string): FieldEntry => ({ field, write: (w) => void w.string(field, value) });
const msg = (field: number, build: (w: FieldWriter) => void): FieldEntry => ({
  field,
  write: (w) => void w.message(field, build),
});

/** A name written only when set; a kept raw copy of the same field is then dropped, since the edit replaces it. */
function optionalString(entries: FieldEntry[], rest: ProtoField[], field: number, value: string): ProtoField[] {
  if (value === '') return rest;
  entries.push(str(field, value));
  return rest.filter((f) => f.field !== field);
}

export function writeTensor(w: FieldWriter, t: OnnxTensor): void {
  const entries: FieldEntry[] = [];
  if (t.dims.length > 0 || t.dimsLayout === 'packed')
    entries.push({ field: 1, write: (x) => void x.repeatedVarints(1, t.dims, t.dimsLayout !== 'unpacked') });
  entries.push({ field: 2, write: (x) => void x.varint(2, t.dataType) });
  let rest = optionalString(entries, t.rest, 8, t.name);
  if (t.values) {
    rest = rest.filter((f) => !tensorPayloadFields.has(f.field));
    const v = t.values;
    entries.push({ field: 9, write: (x) => void x.bytes(9, new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) });
  }
  writeEntries(w, entries, rest);
}

function writeAttribute(w: FieldWriter, a: OnnxAttribute): void {
  const entries: FieldEntry[] = [];
  const rest = optionalString(entries, a.rest, 1, a.name);
  if (a.f !== undefined) entries.push({ field: 2, write: (x) => void x.float(2, a.f!) });
  if (a.i !== undefined) entries.push({ field: 3, write: (x) => void x.varint(3, a.i!) });
  if (a.s !== undefined) entries.push({ field: 4, write: (x) => void x.bytes(4, a.s!) });
  if (a.t !== undefined) entries.push(msg(5, (x) => writeTensor(x, a.t!)));
  if (a.floats !== undefined)
    entries.push({ field: 7, write: (x) => void x.repeatedFloats(7, a.floats!, a.floatsLayout !== 'unpacked') });
  if (a.ints !== undefined)
    entries.push({ field: 8, write: (x) => void x.repeatedVarints(8, a.ints!, a.intsLayout !== 'unpacked') });
  for (const s of a.strings ?? []) entries.push({ field: 9, write: (x) => void x.bytes(9, s) });
  if (a.type !== undefined) entries.push({ field: 20, write: (x) => void x.varint(20, a.type!) });
  writeEntries(w, entries, rest);
}

function writeNode(w: FieldWriter, n: OnnxNode): void {
  const entries: FieldEntry[] = [];
  for (const i of n.inputs) entries.push(str(1, i));
  for (const o of n.outputs) entries.push(str(2, o));
  let rest = optionalString(entries, n.rest, 3, n.name);
  rest = optionalString(entries, rest, 4, n.opType);
  for (const a of n.attributes) entries.push(msg(5, (x) => writeAttribute(x, a)));
  rest = optionalString(entries, rest, 7, n.domain);
  writeEntries(w, entries, rest);
}

function writeType(w: FieldWriter, t: OnnxTypeProto): void {
  const entries: FieldEntry[] = [];
  const tensor = t.tensor;
  if (tensor)
    entries.push(
      msg(1, (x) => {
        const inner: FieldEntry[] = [];
        if (tensor.elemType !== undefined) inner.push({ field: 1, write: (y) => void y.varint(1, tensor.elemType!) });
        if (tensor.shape !== undefined) inner.push({ field: 2, write: (y) => void y.bytes(2, tensor.shape!) });
        writeEntries(x, inner, tensor.rest);
      }),
    );
  writeEntries(w, entries, t.rest);
}

function writeValueInfo(w: FieldWriter, v: OnnxValueInfo): void {
  const entries: FieldEntry[] = [];
  const rest = optionalString(entries, v.rest, 1, v.name);
  if (v.type) entries.push(msg(2, (x) => writeType(x, v.type!)));
  writeEntries(w, entries, rest);
}

export function writeGraph(w: FieldWriter, g: OnnxGraph): void {
  const entries: FieldEntry[] = [];
  for (const n of g.nodes) entries.push(msg(1, (x) => writeNode(x, n)));
  const rest = optionalString(entries, g.rest, 2, g.name);
  for (const t of g.initializers) entries.push(msg(5, (x) => writeTensor(x, t)));
  for (const v of g.inputs) entries.push(msg(11, (x) => writeValueInfo(x, v)));
  for (const v of g.outputs) entries.push(msg(12, (x) => writeValueInfo(x, v)));
  for (const v of g.valueInfo) entries.push(msg(13, (x) => writeValueInfo(x, v)));
  writeEntries(w, entries, rest);
}

function writeOpset(w: FieldWriter, o: OnnxOpsetImport): void {
  const entries: FieldEntry[] = [];
  const rest = optionalString(entries, o.rest, 1, o.domain);
  entries.push({ field: 2, write: (x) => void x.varint(2, o.version) });
  writeEntries(w, entries, rest);
}

/** Serializes a model; the same model gives the same bytes. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new FieldWriter();
  const entries: FieldEntry[] = [
    { field: 1, write: (x) => void x.varint(1, m.irVersion) },
    msg(7, (x) => writeGraph(x, m.graph)),
    ...m.opsetImports.map((o) => msg(8, (x) => writeOpset(x, o))),
  ];
  writeEntries(w, entries, m.rest);
  return w.finish();
}
