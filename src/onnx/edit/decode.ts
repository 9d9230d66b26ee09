/**
 * ONNX bytes → OnnxModel. Each message keeps the fields reel does not edit as raw fields; see
 * types.ts for what is decoded.
 */
import { ProtoDecodeError, readFields, readPackedVarints, type ProtoField } from '../protobuf.ts';
import { ModelProtoError } from './errors.ts';
import type {
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpsetImport,
  OnnxTensor,
  OnnxTensorType,
  OnnxTypeProto,
  OnnxValueInfo,
  RepeatedLayout,
} from './types.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(f: ProtoField, where: string): string {
  try {
    return utf8.decode(f.bytes);
  } catch (cause) {
    throw new ModelProtoError(`${where}: field ${f.field} is not valid UTF-8`, { cause });
  }
}

/**
 * Reads a singular string field: the first non-empty occurrence is decoded, an empty or a
 * repeated one stays raw so that it is written back in place.
 */
function singularString(f: ProtoField, current: string, rest: ProtoField[], where: string): string {
  if (f.bytes === undefined || f.bytes.length === 0 || current !== '') {
    rest.push(f);
    return current;
  }
  return text(f, where);
}

function repeatedVarintsOf(f: ProtoField, into: bigint[]): RepeatedLayout {
  if (f.varint !== undefined) {
    into.push(BigInt.asIntN(64, f.varint));
    return 'unpacked';
  }
  for (const v of readPackedVarints(f.bytes ?? new Uint8Array(0), f.field)) into.push(BigInt.asIntN(64, v));
  return 'packed';
}

function repeatedFloatsOf(f: ProtoField, into: number[]): RepeatedLayout {
  const data = f.bytes ?? new Uint8Array(0);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i + 4 <= data.length; i += 4) into.push(view.getFloat32(i, true));
  return f.wire === 2 ? 'packed' : 'unpacked';
}

export function decodeTensor(bytes: Uint8Array): OnnxTensor {
  const t: OnnxTensor = { name: '', dataType: 0, dims: [], rest: [] };
  const dims: bigint[] = [];
  let sawType = false;
  for (const f of readFields(bytes)) {
    if (f.field === 1 && (f.wire === 0 || f.wire === 2)) t.dimsLayout = repeatedVarintsOf(f, dims);
    else if (f.field === 2 && f.varint !== undefined && !sawType) {
      t.dataType = Number(f.varint);
      sawType = true;
    } else if (f.field === 8 && f.wire === 2) t.name = singularString(f, t.name, t.rest, 'tensor');
    else t.rest.push(f);
  }
  t.dims = dims.map(Number);
  return t;
}

function decodeAttribute(bytes: Uint8Array, where: string): OnnxAttribute {
  const a: OnnxAttribute = { name: '', rest: [] };
  for (const f of readFields(bytes)) {
    switch (f.wire === 2 ? `${f.field}:len` : `${f.field}:${f.wire}`) {
      case '1:len':
        a.name = singularString(f, a.name, a.rest, where);
        break;
      case '20:0':
        if (a.type === undefined) a.type = Number(f.varint);
        else a.rest.push(f);
        break;
      case '2:5':
        if (a.f === undefined) a.f = new DataView(f.bytes!.buffer, f.bytes!.byteOffset, 4).getFloat32(0, true);
        else a.rest.push(f);
        break;
      case '3:0':
        if (a.i === undefined) a.i = BigInt.asIntN(64, f.varint!);
        else a.rest.push(f);
        break;
      case '4:len':
        if (a.s === undefined) a.s = f.bytes;
        else a.rest.push(f);
        break;
      case '5:len':
        if (a.t === undefined) a.t = decodeTensor(f.bytes!);
        else a.rest.push(f);
        break;
      case '7:len':
      case '7:5':
        a.floats ??= [];
        a.floatsLayout = repeatedFloatsOf(f, a.floats);
        break;
      case '8:len':
      case '8:0':
        a.ints ??= [];
        a.intsLayout = repeatedVarintsOf(f, a.ints);
        break;
      case '9:len':
        a.strings ??= [];
        a.strings.push(f.bytes!);
        break;
      default:
        a.rest.push(f);
    }
  }
  return a;
}

function decodeNode(bytes: Uint8Array, index: number): OnnxNode {
  const n: OnnxNode = { opType: '', domain: '', name: '', inputs: [], outputs: [], attributes: [], rest: [] };
  const where = `node ${index}`;
  for (const f of readFields(bytes)) {
    if (f.wire !== 2) n.rest.push(f);
    else if (f.field === 1) n.inputs.push(text(f, where));
    else if (f.field === 2) n.outputs.push(text(f, where));
    else if (f.field === 3) n.name = singularString(f, n.name, n.rest, where);
    else if (f.field === 4) n.opType = singularString(f, n.opType, n.rest, where);
    else if (f.field === 5) n.attributes.push(decodeAttribute(f.bytes!, `${where} attribute`));
    else if (f.field === 7) n.domain = singularString(f, n.domain, n.rest, where);
    else n.rest.push(f);
  }
  return n;
}

function decodeTensorType(bytes: Uint8Array): OnnxTensorType {
  const t: OnnxTensorType = { rest: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.varint !== undefined && t.elemType === undefined) t.elemType = Number(f.varint);
    else if (f.field === 2 && f.wire === 2 && t.shape === undefined) t.shape = f.bytes;
    else t.rest.push(f);
  }
  return t;
}

function decodeType(bytes: Uint8Array): OnnxTypeProto {
  const t: OnnxTypeProto = { rest: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === 2 && t.tensor === undefined) t.tensor = decodeTensorType(f.bytes!);
    else t.rest.push(f);
  }
  return t;
}

function decodeValueInfo(bytes: Uint8Array): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '', rest: [] };
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === 2) v.name = singularString(f, v.name, v.rest, 'value info');
    else if (f.field === 2 && f.wire === 2 && v.type === undefined) v.type = decodeType(f.bytes!);
    else v.rest.push(f);
  }
  return v;
}

/** Decodes a GraphProto (the main graph, or a subgraph read from an attribute's raw field). */
export function decodeGraph(bytes: Uint8Array): OnnxGraph {
  const g: OnnxGraph = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], rest: [] };
  for (const f of readFields(bytes)) {
    if (f.wire !== 2) g.rest.push(f);
    else if (f.field === 1) g.nodes.push(decodeNode(f.bytes!, g.nodes.length));
    else if (f.field === 2) g.name = singularString(f, g.name, g.rest, 'graph');
    else if (f.field === 5) g.initializers.push(decodeTensor(f.bytes!));
    else if (f.field === 11) g.inputs.push(decodeValueInfo(f.bytes!));
    else if (f.field === 12) g.outputs.push(decodeValueInfo(f.bytes!));
    else if (f.field === 13) g.valueInfo.push(decodeValueInfo(f.bytes!));
    else g.rest.push(f);
  }
  return g;
}

function decodeOpset(bytes: Uint8Array): OnnxOpsetImport {
  const o: OnnxOpsetImport = { domain: '', version: 0, rest: [] };
  let sawVersion = false;
  for (const f of readFields(bytes)) {
    if (f.field === 1 && f.wire === 2) o.domain = singularString(f, o.domain, o.rest, 'opset import');
    else if (f.field === 2 && f.varint !== undefined && !sawVersion) {
      o.version = Number(f.varint);
      sawVersion = true;
    } else o.rest.push(f);
  }
  return o;
}

/**
 * Decodes a whole ModelProto. The result holds views of `bytes` (weights are not copied).
 * Throws ModelProtoError when the bytes are not a ModelProto with a graph.
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModel {
  try {
    let graph: OnnxGraph | undefined;
    let irVersion: number | undefined;
    const opsetImports: OnnxOpsetImport[] = [];
    const rest: ProtoField[] = [];
    for (const f of readFields(bytes)) {
      if (f.field === 1 && f.varint !== undefined && irVersion === undefined) irVersion = Number(f.varint);
      else if (f.field === 7 && f.wire === 2 && graph === undefined) graph = decodeGraph(f.bytes!);
      else if (f.field === 8 && f.wire === 2) opsetImports.push(decodeOpset(f.bytes!));
      else rest.push(f);
    }
    if (irVersion === undefined || graph === undefined)
      throw new ModelProtoError('no ir_version or graph field: this is not an ONNX ModelProto');
    return { irVersion, opsetImports, graph, rest };
  } catch (cause) {
    if (cause instanceof ProtoDecodeError)
      throw new ModelProtoError(`malformed ONNX protobuf: ${cause.message}`, { cause });
    throw cause;
  }
}
