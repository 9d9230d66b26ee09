/**
 * `in:` wiring → edges. Each entry names an input port of its node and a source ("inputs.voice",
 * "tts.audio", or "tts" when that stage has one output). Checks that ports exist, that types
 * agree, and that every required input port is wired.
 */
import type { LoadedPipeline } from '../config/load.ts';
import { suggestion } from '../config/did-you-mean.ts';
import type { Issue } from '../core/errors.ts';
import { portAccepts } from '../core/types.ts';
import type { GraphEdge, GraphNode } from './types.ts';

export function buildEdges(
  loaded: LoadedPipeline,
  nodes: ReadonlyMap<string, GraphNode>,
  broken: ReadonlySet<string>,
): { edges: GraphEdge[]; issues: Issue[] } {
  const edges: GraphEdge[] = [];
  const issues: Issue[] = [];
  const { doc, locations } = loaded;
  const wired: [section: 'stages' | 'outputs', id: string, wiring: Record<string, string>][] = [
    ...Object.entries(doc.stages).map(
      ([id, s]) => ['stages', id, s.in ?? {}] as ['stages', string, Record<string, string>],
    ),
    ...Object.entries(doc.outputs).map(
      ([id, o]) => ['outputs', id, o.in] as ['outputs', string, Record<string, string>],
    ),
  ];
  const what = (section: 'stages' | 'outputs', id: string) => `${section === 'stages' ? 'stage' : 'output'} "${id}"`;

  for (const [section, id, wiring] of wired) {
    const node = nodes.get(id);
    if (!node || broken.has(id)) continue; // already reported (unknown kind, bad options)
    const ports = Object.keys(node.def.inputs);
    for (const [port, ref] of Object.entries(wiring)) {
      const keyPath = [section, id, 'in', port];
      const spec = node.def.inputs[port];
      if (!spec) {
        issues.push({
          location: locations.key(keyPath),
          message: `${what(section, id)} (${node.kind}) has no input port "${port}"${suggestion(port, ports, 'one of')}`,
        });
        continue;
      }
      if (broken.has(ref.split('.')[0]) || (ref.startsWith('inputs.') && broken.has(ref.slice(7)))) continue;
      const from = resolveRef(ref, nodes, doc.inputs);
      if ('problem' in from) {
        issues.push({
          location: locations.value(keyPath),
          message: `${what(section, id)} input "${port}": ${from.problem}`,
        });
        continue;
      }
      const source = nodes.get(from.node) as GraphNode;
      const fromType = source.def.outputs[from.port].type;
      if (!portAccepts(spec.type, fromType)) {
        issues.push({
          location: locations.value(keyPath),
          message: `${what(section, id)} input "${port}" expects ${spec.type}, got ${fromType} from "${ref}"`,
        });
        continue;
      }
      edges.push({ from, to: { node: id, port }, location: locations.value(keyPath) });
    }
    for (const [port, spec] of Object.entries(node.def.inputs)) {
      if (!spec.optional && !(port in wiring)) {
        issues.push({
          location: locations.key([section, id]),
          message: `${what(section, id)} input "${port}" (${spec.type}) is not wired — add it under "in:", e.g. ${port}: <stage>.<port>`,
        });
      }
    }
  }
  return { edges, issues };
}

function resolveRef(
  ref: string,
  nodes: ReadonlyMap<string, GraphNode>,
  inputs: Record<string, unknown>,
): { node: string; port: string } | { problem: string } {
  const [head, tail] = ref.split('.') as [string, string | undefined];
  if (head === 'inputs') {
    const name = tail ?? '';
    const node = nodes.get(name);
    if (node?.role !== 'source') {
      return { problem: `pipeline has no input "${name}"${suggestion(name, Object.keys(inputs), 'one of')}` };
    }
    return { node: name, port: Object.keys(node.def.outputs)[0] };
  }
  const node = nodes.get(head);
  if (!node || node.role === 'sink') {
    const stages = [...nodes.values()].filter((n) => n.role !== 'sink' && n.role !== 'source').map((n) => n.id);
    const asInput = nodes.get(head)?.role === 'source' ? ` — inputs are wired as "inputs.${head}"` : '';
    return { problem: `"${ref}" names no stage "${head}"${asInput || suggestion(head, stages, 'one of')}` };
  }
  if (node.role === 'source') return { problem: `"${ref}": inputs are wired as "inputs.${head}"` };
  const outputs = Object.keys(node.def.outputs);
  if (tail === undefined) {
    if (outputs.length === 1) return { node: head, port: outputs[0] };
    return {
      problem: `"${ref}": stage "${head}" has ${outputs.length} outputs — name one: ${outputs.map((o) => `"${head}.${o}"`).join(', ')}`,
    };
  }
  if (!outputs.includes(tail)) {
    return {
      problem: `stage "${head}" (${node.kind}) has no output port "${tail}"${suggestion(tail, outputs, 'one of')}`,
    };
  }
  return { node: head, port: tail };
}
