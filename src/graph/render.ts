/**
 * PipelineGraph → Mermaid flowchart or Graphviz dot. Sources are stadium shapes, sinks are
 * subroutine shapes, transforms are boxes; edges are labelled with the port types.
 */
import type { GraphNode, PipelineGraph } from './types.ts';

export type GraphFormat = 'mermaid' | 'dot';

export function renderGraph(graph: PipelineGraph, format: GraphFormat): string {
  return format === 'dot' ? renderDot(graph) : renderMermaid(graph);
}

function nodeLabel(node: GraphNode): string {
  return `${node.id}<br/>${node.kind}`;
}

/** Mermaid ids must be plain words and reel ids may contain "-": number the nodes instead (unique). */
function mermaidIds(graph: PipelineGraph): (id: string) => string {
  const ids = new Map(graph.order.map((id, i) => [id, `n${i}`]));
  return (id) => ids.get(id) ?? id;
}

function mermaidText(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

export function renderMermaid(graph: PipelineGraph): string {
  const mermaidId = mermaidIds(graph);
  const lines = ['flowchart LR'];
  for (const id of graph.order) {
    const node = graph.nodes.get(id) as GraphNode;
    const label = mermaidText(nodeLabel(node));
    const mid = mermaidId(id);
    if (node.role === 'source') lines.push(`  ${mid}([${label}])`);
    else if (node.role === 'sink') lines.push(`  ${mid}[[${label}]]`);
    else lines.push(`  ${mid}[${label}]`);
  }
  for (const e of graph.edges) {
    const from = graph.nodes.get(e.from.node) as GraphNode;
    const type = from.def.outputs[e.from.port].type;
    lines.push(
      `  ${mermaidId(e.from.node)} -->|${mermaidText(`${e.from.port} → ${e.to.port}: ${type}`)}| ${mermaidId(e.to.node)}`,
    );
  }
  lines.push('  classDef source fill:#e8f4ff,stroke:#3178c6');
  lines.push('  classDef sink fill:#eaffea,stroke:#2e7d32');
  const byRole = (role: string) => graph.order.filter((id) => graph.nodes.get(id)?.role === role).map(mermaidId);
  if (byRole('source').length) lines.push(`  class ${byRole('source').join(',')} source`);
  if (byRole('sink').length) lines.push(`  class ${byRole('sink').join(',')} sink`);
  return `${lines.join('\n')}\n`;
}

/** A quoted dot string; `lines` are joined with dot's own line break. */
function dotString(...lines: string[]): string {
  return `"${lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"')).join('\\n')}"`;
}

export function renderDot(graph: PipelineGraph): string {
  const lines = [`digraph ${dotString(graph.name)} {`, '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const id of graph.order) {
    const node = graph.nodes.get(id) as GraphNode;
    const shape = node.role === 'source' ? 'ellipse' : node.role === 'sink' ? 'doubleoctagon' : 'box';
    lines.push(`  ${dotString(id)} [label=${dotString(node.id, node.kind)}, shape=${shape}];`);
  }
  for (const e of graph.edges) {
    const from = graph.nodes.get(e.from.node) as GraphNode;
    const type = from.def.outputs[e.from.port].type;
    lines.push(
      `  ${dotString(e.from.node)} -> ${dotString(e.to.node)} [label=${dotString(`${e.from.port} → ${e.to.port}`, type)}];`,
    );
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
