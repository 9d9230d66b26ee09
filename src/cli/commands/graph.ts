/**
 * `reel graph <pipeline.yaml> [--format mermaid|dot] [-o FILE]`.
 */
import { formatIssue } from '../../core/errors.ts';
import { renderGraph, type GraphFormat } from '../../graph/render.ts';
import type { CliIo } from '../io.ts';
import { loadGraph } from '../pipeline.ts';
import { writeFlagFile } from '../write-plan.ts';

export async function graphCommand(
  file: string,
  opts: { format: GraphFormat; output?: string; profile?: string; set?: string[]; kinds?: string[] },
  io: CliIo,
): Promise<number> {
  const { graph, notes } = await loadGraph(file, opts);
  for (const note of notes) io.err(`note: ${formatIssue(note)}`);
  const text = renderGraph(graph, opts.format);
  if (opts.output) {
    await writeFlagFile('-o', opts.output, text);
    io.err(`wrote ${opts.output}`);
  } else {
    io.out(text);
  }
  return 0;
}
