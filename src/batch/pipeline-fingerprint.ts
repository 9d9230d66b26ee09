/**
 * What a sample's output depends on besides its inputs, as a plain JSON value for the journal's
 * pipeline hash: every stage's kind, options and execution settings, the wiring, the chunking, and
 * each model file by path, size and modification time (hashing every model at each batch start
 * would cost seconds for large ones; a re-export changes the size or the time).
 */
import { stat } from 'node:fs/promises';
import { ensureIfReferenceModel } from '../../models/reference.ts';
import type { PipelineGraph } from '../graph/types.ts';

export async function pipelineFingerprint(graph: PipelineGraph): Promise<unknown> {
  const nodes = [];
  for (const id of graph.order) {
    const node = graph.nodes.get(id)!;
    const models: Record<string, unknown> = {};
    for (const [slot, file] of Object.entries(node.models)) {
      // A reference model is written on first use; its size and time are known only after that.
      await ensureIfReferenceModel(file);
      const s = await stat(file).catch(() => undefined);
      models[slot] = { file, size: s?.size, mtimeMs: s?.mtimeMs };
    }
    // Settings that change how fast, not what: replicas, threads (intra-op sums move in the last
    // bits only), queue depth and warm-up are left out, so tuning them does not redo a batch.
    const { provider, tensorrt } = node.settings;
    nodes.push({ id, kind: node.kind, options: node.options, models, provider, tensorrt });
  }
  const edges = graph.edges.map((e) => `${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`);
  return { nodes, edges, chunking: graph.chunking };
}
