/**
 * `reel validate <pipeline.yaml>`: every check short of loading weights or starting ffmpeg.
 */
import { formatIssue } from '../../core/errors.ts';
import type { CliIo } from '../io.ts';
import { loadGraph } from '../pipeline.ts';

export async function validateCommand(
  file: string,
  opts: { profile?: string; set?: string[]; kinds?: string[] },
  io: CliIo,
): Promise<number> {
  const { graph, notes } = await loadGraph(file, opts);
  for (const note of notes) io.err(`note: ${formatIssue(note)}`);
  const count = (role: string) => [...graph.nodes.values()].filter((n) => n.role === role).length;
  const stages = graph.nodes.size - count('source') - count('sink');
  io.out(
    `${file}: ok — pipeline "${graph.name}"${opts.profile ? ` (profile ${opts.profile})` : ''}: ` +
      `${count('source')} inputs, ${stages} stages, ${count('sink')} outputs, ${graph.edges.length} edges`,
  );
  // What will run, by name and kind, in run order (a pruned stage is in the notes above).
  const named = (role: string) =>
    graph.order
      .map((id) => graph.nodes.get(id)!)
      .filter((n) => (role === 'transform' ? n.role !== 'source' && n.role !== 'sink' : n.role === role))
      .map((n) => `${n.binding ?? n.id} (${n.kind})`)
      .join(', ');
  io.out(`  inputs:  ${named('source')}`);
  io.out(`  stages:  ${named('transform')}`);
  io.out(`  outputs: ${named('sink')}`);
  return 0;
}
