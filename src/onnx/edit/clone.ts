/**
 * Copies of decoded models to edit without touching the original: every array and object reel
 * edits is new; raw byte views (weights, kept fields) are shared, as nothing writes into them.
 */
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './types.ts';

function cloneTensor(t: OnnxTensor): OnnxTensor {
  return { ...t, dims: [...t.dims], rest: [...t.rest] };
}

function cloneAttribute(a: OnnxAttribute): OnnxAttribute {
  return {
    ...a,
    t: a.t && cloneTensor(a.t),
    floats: a.floats && [...a.floats],
    ints: a.ints && [...a.ints],
    strings: a.strings && [...a.strings],
    rest: [...a.rest],
  };
}

function cloneNode(n: OnnxNode): OnnxNode {
  return {
    ...n,
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    attributes: n.attributes.map(cloneAttribute),
    rest: [...n.rest],
  };
}

function cloneValueInfo(v: OnnxValueInfo): OnnxValueInfo {
  const tensor = v.type?.tensor;
  return {
    ...v,
    type: v.type && {
      ...v.type,
      tensor: tensor && { ...tensor, rest: [...tensor.rest] },
      rest: [...v.type.rest],
    },
    rest: [...v.rest],
  };
}

function cloneGraph(g: OnnxGraph): OnnxGraph {
  return {
    ...g,
    nodes: g.nodes.map(cloneNode),
    initializers: g.initializers.map(cloneTensor),
    inputs: g.inputs.map(cloneValueInfo),
    outputs: g.outputs.map(cloneValueInfo),
    valueInfo: g.valueInfo.map(cloneValueInfo),
    rest: [...g.rest],
  };
}

export function cloneModel(m: OnnxModel): OnnxModel {
  return {
    ...m,
    opsetImports: m.opsetImports.map((o) => ({ ...o, rest: [...o.rest] })),
    graph: cloneGraph(m.graph),
    rest: [...m.rest],
  };
}
