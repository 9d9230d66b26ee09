/** Removing what an edit left behind: replaced weights, and value_info of tensors that are gone. */
import { namesReadBySubgraphs } from './graph.ts';
import type { OnnxGraph } from './types.ts';

/**
 * Drops the named initializers that no node, subgraph or graph output reads any more, with the
 * graph inputs of the same names (old exporters list every weight as an input too; left there,
 * it would become an input the caller must feed).
 */
export function removeUnusedInitializers(graph: OnnxGraph, candidates: Iterable<string>): void {
  const read = new Set<string>(namesReadBySubgraphs(graph));
  for (const n of graph.nodes) for (const i of n.inputs) read.add(i);
  for (const o of graph.outputs) read.add(o.name);
  const drop = new Set([...candidates].filter((name) => !read.has(name)));
  if (drop.size === 0) return;
  graph.initializers = graph.initializers.filter((t) => !drop.has(t.name));
  graph.inputs = graph.inputs.filter((v) => !drop.has(v.name));
}

/** Drops value_info entries of names no node produces (renamed or removed tensors). */
export function removeStaleValueInfo(graph: OnnxGraph): void {
  const live = new Set<string>();
  for (const n of graph.nodes) for (const o of n.outputs) live.add(o);
  graph.valueInfo = graph.valueInfo.filter((v) => live.has(v.name));
}
