/**
 * What a source must know about its consumers before it cuts its input: whether every consumer
 * wants the input whole (one packet), and the step every chunk boundary must fall on — a common
 * multiple of the granularities (hops) declared by the stages downstream of it.
 */
import { itemSpecOf } from '../core/stage.ts';
import type { PipelineGraph } from './types.ts';

export interface SourceNeeds {
  whole: boolean;
  /** Seconds; 0 when no stage downstream declares a granularity. */
  granularitySeconds: number;
}

/** Work in whole microseconds so that 0.02 and 0.01 have an exact common multiple. */
const US = 1e6;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

export function sourceNeeds(graph: PipelineGraph, sourceId: string): SourceNeeds {
  const direct = graph.edges.filter((e) => e.from.node === sourceId);
  const whole =
    direct.length > 0 && direct.every((e) => graph.nodes.get(e.to.node)?.def.inputs[e.to.port]?.whole === true);
  let step = 0;
  const seen = new Set<string>();
  const todo = direct.map((e) => e.to.node);
  while (todo.length) {
    const id = todo.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    const node = graph.nodes.get(id);
    const g = node && itemSpecOf(node.def).granularitySeconds;
    if (g && g > 0) {
      const us = Math.round(g * US);
      step = step === 0 ? us : (step / gcd(step, us)) * us;
    }
    for (const e of graph.edges) if (e.from.node === id) todo.push(e.to.node);
  }
  return { whole, granularitySeconds: step / US };
}
