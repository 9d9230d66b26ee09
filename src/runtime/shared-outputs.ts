/**
 * Which of a stage's outputs its worker makes in shared memory. The main thread posts a chunk's
 * packet to a worker stage once per item that holds it: a stage that takes neighbouring chunks
 * gets each chunk with its own item and its neighbours', and a packet held by another consumer
 * cannot be moved. (A whole input, posted once to each worker, is not covered: it still gets a
 * main-thread twin.) Such a packet gets a shared-memory twin on the main thread (transfer.ts prepareItem),
 * which feeds every stage; made there by the producing worker instead (prepareOutput), it needs
 * none — voice-convert's content features: 175–221 ms of the main thread's 1.8–2.3 s for 600 s.
 */
import { itemSpecOf } from '../core/stage.ts';
import type { GraphNode, PipelineGraph } from '../graph/types.ts';

const inWorker = (node: GraphNode) => node.def.role === 'transform' && node.def.thread === 'worker';

const takesNeighbours = (node: GraphNode) => {
  const { before, after } = itemSpecOf(node.def).neighbours;
  return before + after > 0;
};

/**
 * Output ports of node `id` whose packets go to a worker stage that takes neighbouring chunks, or
 * to a worker stage and another consumer (in a pipelined run with workers).
 */
export function postedMoreThanOnce(graph: PipelineGraph, id: string): string[] {
  const consumers = new Map<string, GraphNode[]>();
  for (const edge of graph.edges) {
    if (edge.from.node !== id) continue;
    const list = consumers.get(edge.from.port) ?? [];
    list.push(graph.nodes.get(edge.to.node)!);
    consumers.set(edge.from.port, list);
  }
  return [...consumers]
    .filter(([, nodes]) =>
      nodes.length > 1 ? nodes.some(inWorker) : nodes.some((n) => inWorker(n) && takesNeighbours(n)),
    )
    .map(([port]) => port);
}
