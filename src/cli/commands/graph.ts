/**
 * `reel graph <pipeline.yaml> [--format mermaid|dot] [-o FILE]`.
 */
import { writeFile } from 'node:fs/promises';
import { ConfigError, formatIssue, UsageError } from '../../core/errors.ts';
import { renderGraph, type GraphFormat } from '../../graph/render.ts';
import type { CliIo } from '../io.ts';
import { loadGraph } from '../pipeline.ts';
import { writePlanIssues } from '../write-plan.ts';

export async function graphCommand(
  file: string,
  opts: { format: GraphFormat; output?: string; profile?: string; set?: string[]; kinds?: string[] },
  io: CliIo,
): Promise<number> {
  const { graph, notes } = await loadGraph(file, opts);
  for (const note of notes) io.err(`note: ${formatIssue(note)}`);
  const text = renderGraph(graph, opts.format);
  if (opts.output) {
    const issues = await writePlanIssues([{ what: '-o', file: opts.output }], [], {});
    if (issues.length > 0) throw new ConfigError(issues);
    await writeFile(opts.output, text).catch((err: NodeJS.ErrnoException) => {
      throw new UsageError(`-o ${opts.output}: cannot write (${err.code ?? err.message}) — give another path`);
    });
    io.err(`wrote ${opts.output}`);
  } else {
    io.out(text);
  }
  return 0;
}
