/**
 * What a source must know about its consumers before it cuts its input: whether every consumer
 * wants the input whole (one packet), whether it is to be looped, and the step every chunk
 * boundary must fall on — a common multiple of the granularities (hops) declared by the stages
 * downstream of it.
 */
import { itemSpecOf } from '../core/stage.ts';
import type { PipelineGraph } from './types.ts';

export interface SourceNeeds {
  whole: boolean;
  /**
   * Every consumer takes the input looped (PortSpec.loop), and a stage downstream has a required
   * input that does not come from this source, which ends the stream: the source may loop without
   * end, since the runtime stops pulling it once no consumer takes more.
   */
  loop: boolean;
  /** Seconds; 0 when no stage downstream declares a granularity. */
  granularitySeconds: number;
}

/** Work in whole microseconds so that 0.02 and 0.01 have an exact common multiple. */
const US = 1e6;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function sourceNeeds(graph: PipelineGraph, sourceId: string): SourceNeeds {
  const own = ownNeeds(graph, sourceId);
  const loop = loops(graph, sourceId, own.direct, own.downstream);
  let step = own.step;
  // A looped input is joined with the others by chunk index, so every chunked source of a run
  // with one must cut on the same grid: the common multiple of all their steps.
  const sources = [...graph.nodes.values()]
    .filter((n) => n.role === 'source')
    .map((n) => ({ id: n.id, ...ownNeeds(graph, n.id) }));
  if (!own.whole && sources.some((o) => loops(graph, o.id, o.direct, o.downstream))) {
    for (const other of sources) if (!other.whole) step = lcm(step, other.step);
  }
  return { whole: own.whole, loop, granularitySeconds: step / US };
}

const lcm = (a: number, b: number): number => (a === 0 ? b : b === 0 ? a : (a / gcd(a, b)) * b);

/** What the source's own consumers ask: whole or not, their common step (µs), and the nodes downstream. */
function ownNeeds(graph: PipelineGraph, sourceId: string) {
  const direct = graph.edges.filter((e) => e.from.node === sourceId);
  const whole =
    direct.length > 0 && direct.every((e) => graph.nodes.get(e.to.node)?.def.inputs[e.to.port]?.whole === true);
  let step = 0;
  const downstream = new Set<string>();
  const todo = direct.map((e) => e.to.node);
  while (todo.length) {
    const id = todo.pop() as string;
    if (downstream.has(id)) continue;
    downstream.add(id);
    const node = graph.nodes.get(id);
    const g = node && itemSpecOf(node.def).granularitySeconds;
    if (g && g > 0) step = lcm(step, Math.round(g * US));
    for (const e of graph.edges) if (e.from.node === id) todo.push(e.to.node);
  }
  return { direct, whole, step, downstream };
}

function loops(
  graph: PipelineGraph,
  sourceId: string,
  direct: PipelineGraph['edges'],
  downstream: ReadonlySet<string>,
): boolean {
  const loopPort = (e: PipelineGraph['edges'][number]) => graph.nodes.get(e.to.node)?.def.inputs[e.to.port]?.loop;
  if (direct.length === 0 || !direct.every(loopPort)) return false;
  // A required input from outside what this source feeds sets the length (Wav2Lip's speech).
  return graph.edges.some((e) => {
    if (!downstream.has(e.to.node) || e.from.node === sourceId || downstream.has(e.from.node)) return false;
    const spec = graph.nodes.get(e.to.node)?.def.inputs[e.to.port];
    return spec !== undefined && !spec.optional && !spec.whole && !spec.loop;
  });
}
