/**
 * Small tools for editing a decoded graph: attributes, new nodes and tensors, unique names,
 * who consumes what, opset imports, and the outer names a subgraph reads.
 */
import { decodeGraph } from './decode.ts';
import type { OnnxAttribute, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, OnnxValueInfo } from './types.ts';

/** AttributeProto.AttributeType numbers. */
export const ATTR = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7 } as const;

const SUBGRAPH_FIELDS = new Set([6, 11]);

export function findAttr(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.find((a) => a.name === name);
}

export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const a = findAttr(node, name);
  return a?.i !== undefined ? Number(a.i) : fallback;
}

export function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  return findAttr(node, name)?.f ?? fallback;
}

export function intsAttr(node: OnnxNode, name: string): number[] | undefined {
  return findAttr(node, name)?.ints?.map(Number);
}

export function makeIntAttr(name: string, value: number): OnnxAttribute {
  return { name, type: ATTR.int, i: BigInt(value), rest: [] };
}

export function makeIntsAttr(name: string, values: readonly number[]): OnnxAttribute {
  return { name, type: ATTR.ints, ints: values.map(BigInt), rest: [] };
}

export function makeTensorAttr(name: string, t: OnnxTensor): OnnxAttribute {
  return { name, type: ATTR.tensor, t, rest: [] };
}

export interface NodeSpec {
  opType: string;
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
  domain?: string;
  attributes?: OnnxAttribute[];
}

export function makeNode(s: NodeSpec): OnnxNode {
  return {
    opType: s.opType,
    domain: s.domain ?? '',
    name: s.name,
    inputs: [...s.inputs],
    outputs: [...s.outputs],
    attributes: s.attributes ?? [],
    rest: [],
  };
}

/** A ValueInfoProto of a tensor with an element type and no shape (rank unknown). */
export function makeTensorValueInfo(name: string, elemType: number): OnnxValueInfo {
  return { name, type: { tensor: { elemType, rest: [] }, rest: [] }, rest: [] };
}

export function hasSubgraph(node: OnnxNode): boolean {
  return node.attributes.some((a) => a.type === ATTR.graph || a.rest.some((f) => SUBGRAPH_FIELDS.has(f.field)));
}

/**
 * Outer names of each subgraph body, by its bytes: bodies stay raw and are never edited, while
 * planning, naming, ordering and pruning each ask for them, on the model and on its clone (which
 * shares the byte views).
 */
const bodyOuterNames = new WeakMap<Uint8Array, Set<string>>();

/** Names a node's subgraphs (If/Loop/Scan bodies, nested) read from the enclosing scopes. */
function subgraphOuterNames(node: OnnxNode): Set<string> {
  const found = new Set<string>();
  for (const a of node.attributes)
    for (const f of a.rest) {
      if (!SUBGRAPH_FIELDS.has(f.field) || !f.bytes) continue;
      let names = bodyOuterNames.get(f.bytes);
      if (!names) {
        names = graphOuterNames(decodeGraph(f.bytes));
        bodyOuterNames.set(f.bytes, names);
      }
      for (const n of names) found.add(n);
    }
  return found;
}

function graphOuterNames(g: OnnxGraph): Set<string> {
  const local = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name)]);
  const outer = new Set<string>();
  const read = (name: string) => {
    if (name !== '' && !local.has(name)) outer.add(name);
  };
  for (const n of g.nodes) {
    n.inputs.forEach(read);
    for (const name of subgraphOuterNames(n)) read(name);
    for (const o of n.outputs) local.add(o);
  }
  for (const o of g.outputs) read(o.name);
  return outer;
}

/** Every tensor or node name in the graph, so that new ones do not collide. */
export class NameAllocator {
  private readonly taken = new Set<string>();

  constructor(graph: OnnxGraph) {
    for (const n of graph.nodes) {
      this.taken.add(n.name);
      for (const x of [...n.inputs, ...n.outputs, ...subgraphOuterNames(n)]) this.taken.add(x);
    }
    for (const t of graph.initializers) this.taken.add(t.name);
    for (const v of [...graph.inputs, ...graph.outputs, ...graph.valueInfo]) this.taken.add(v.name);
  }

  /** `base`, or `base_1`, `base_2`, … — the first not yet taken (deterministic). */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.taken.has(name); i++) name = `${base}_${i}`;
    this.taken.add(name);
    return name;
  }
}

export interface Use {
  node: OnnxNode;
  index: number;
}

/** tensor name → the node inputs that read it, in node order. */
export function consumersOf(graph: OnnxGraph): Map<string, Use[]> {
  const uses = new Map<string, Use[]>();
  for (const node of graph.nodes)
    node.inputs.forEach((name, index) => {
      if (name === '') return;
      const list = uses.get(name);
      if (list) list.push({ node, index });
      else uses.set(name, [{ node, index }]);
    });
  return uses;
}

/** Names read by subgraphs of the graph's nodes: they cannot be renamed or retyped from outside. */
export function namesReadBySubgraphs(graph: OnnxGraph): Set<string> {
  const names = new Set<string>();
  for (const n of graph.nodes) if (hasSubgraph(n)) for (const x of subgraphOuterNames(n)) names.add(x);
  return names;
}

/** The imported version of a domain ('' and 'ai.onnx' are the same), or undefined. */
export function opsetVersion(model: OnnxModel, domain: string): number | undefined {
  const same = (d: string) => (d === 'ai.onnx' ? '' : d) === (domain === 'ai.onnx' ? '' : domain);
  return model.opsetImports.find((o) => same(o.domain))?.version;
}

/** Imports `domain` at `version` unless some version of it is imported already. */
export function ensureOpset(model: OnnxModel, domain: string, version: number): void {
  if (opsetVersion(model, domain) === undefined) model.opsetImports.push({ domain, version, rest: [] });
}

export function initializerMap(graph: OnnxGraph): Map<string, OnnxTensor> {
  return new Map(graph.initializers.map((t) => [t.name, t]));
}

/** Nodes reordered so every node comes after the producers of its inputs (stable for sorted input). */
export function topologicalOrder(graph: OnnxGraph): OnnxNode[] {
  const producer = new Map<string, OnnxNode>();
  for (const n of graph.nodes) for (const o of n.outputs) if (o !== '') producer.set(o, n);
  const done = new Set<OnnxNode>();
  const order: OnnxNode[] = [];
  const visiting = new Set<OnnxNode>();
  const visit = (root: OnnxNode): void => {
    // Iterative depth-first walk: graphs of thousands of nodes would overflow a recursive one.
    const frame = (node: OnnxNode) => ({
      node,
      deps: [...node.inputs, ...(hasSubgraph(node) ? subgraphOuterNames(node) : [])],
      next: 0,
    });
    const stack = [frame(root)];
    visiting.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next < top.deps.length) {
        const p = producer.get(top.deps[top.next++]);
        if (p && !done.has(p) && !visiting.has(p)) {
          visiting.add(p);
          stack.push(frame(p));
        }
        continue;
      }
      stack.pop();
      visiting.delete(top.node);
      done.add(top.node);
      order.push(top.node);
    }
  };
  for (const n of graph.nodes) if (!done.has(n)) visit(n);
  return order;
}
