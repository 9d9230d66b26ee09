/**
 * Flow control, in one place and as pure functions: when a node may start one more item, how much
 * a join's input must hold, how far a branch may run ahead, and what sequential mode allows. The
 * runners ask these; nothing here holds state or touches a queue.
 */
import { itemSpecOf } from '../core/stage.ts';
import type { GraphEdge, PipelineGraph } from '../graph/types.ts';

/** What one downstream edge holds right now. */
export interface EdgeLoad {
  /** Packets waiting on the edge. */
  length: number;
  /** The consumer's `queue:` setting for that input. */
  capacity: number;
  /** The consumer takes nothing more: the edge never holds a producer back. */
  unwanted?: boolean;
}

/**
 * Whether a node with `inflight` items started and not yet done may start one more. Each
 * downstream edge holds at most max(capacity, concurrency) packets, counting the items the node
 * is still working on (each may add one packet per port).
 */
export function hasRoom(edges: readonly EdgeLoad[], inflight: number, concurrency: number): boolean {
  return edges.every((edge) => edge.unwanted || edge.length + inflight < Math.max(edge.capacity, concurrency));
}

/** Whether a generating item may emit one more packet: every downstream edge has a free place. */
export function hasRoomForPacket(edges: readonly EdgeLoad[]): boolean {
  return edges.every((edge) => edge.unwanted || edge.length < edge.capacity);
}

/**
 * Chunks each node holds back before it can start an item (its `neighbours.after`), summed along
 * the deepest path from a source: how far a branch through it can lag behind one that skips it.
 */
export function lookaheadDepths(graph: PipelineGraph): Map<string, number> {
  const depth = new Map<string, number>();
  for (const id of graph.order) {
    const node = graph.nodes.get(id)!;
    const upstream = graph.edges.filter((e) => e.to.node === id).map((e) => depth.get(e.from.node) ?? 0);
    depth.set(id, itemSpecOf(node.def).neighbours.after + Math.max(0, ...upstream));
  }
  return depth;
}

/**
 * The capacity of one input edge. An input of a join must hold the chunks its branch runs ahead of
 * the others: while a stage on another branch holds chunk k waiting for k+1, this side already has
 * k and k+1 — with too small a queue the source stops and the held stage never gets its neighbour
 * (a silent deadlock).
 */
export function joinCapacity(graph: PipelineGraph, edge: GraphEdge, depth: ReadonlyMap<string, number>): number {
  const consumer = graph.nodes.get(edge.to.node)!;
  const others = graph.edges
    .filter((e) => e.to.node === edge.to.node && e !== edge)
    .map((e) => depth.get(e.from.node) ?? 0);
  return Math.max(consumer.settings.queue, others.length ? 1 + Math.max(...others) : 0);
}

export type ExecutionMode = 'pipelined' | 'sequential';

/** What the sequential gate needs to know of the run at this moment. */
export interface RunState {
  /** Some node works on an item right now (a generator parked for room does not count). */
  anyBusy: boolean;
  /** Every edge is empty. */
  queuesEmpty: boolean;
}

/**
 * Whether a node may start work now. Pipelined: always (its own limits decide). Sequential — the
 * baseline benchmarks compare against — one item in one stage at a time, and a source is pulled
 * only when every edge is empty (the scheduler also pulls one when nothing else can move: chunks
 * still queued wait for the next one, such as a neighbour).
 */
export function mayStart(mode: ExecutionMode, role: 'source' | 'transform' | 'sink', state: RunState): boolean {
  if (mode === 'pipelined') return true;
  if (state.anyBusy) return false;
  return role !== 'source' || state.queuesEmpty;
}
