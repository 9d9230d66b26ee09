/**
 * What a sample's output depends on besides its inputs, as a plain JSON value for the journal's
 * pipeline hash: every stage's kind, options and execution settings, the wiring, the chunking, and
 * each model file by path, size and modification time (hashing every model at each batch start
 * would cost seconds for large ones; a re-export changes the size or the time).
 */
import { stat } from 'node:fs/promises';
import { ensureIfReferenceModel } from '../../models/reference.ts';
import type { PipelineGraph } from '../graph/types.ts';

export function pipelineFingerprint(graph: PipelineGraph): Promise<unknown> {
  return describePipeline(graph, async (file) => {
    // A reference model is written on first use; its size and time are known only after that.
    await ensureIfReferenceModel(file);
    const s = await stat(file).catch(() => undefined);
    return { file, size: s?.size, mtimeMs: s?.mtimeMs };
  });
}

/**
 * The pipeline as it decides the output, as a plain JSON value: every stage's kind, options,
 * provider and TensorRT settings, each model as `model` describes it (by `stage`, `slot`), the
 * wiring and the chunking. Settings that change how fast, not what — replicas, threads (intra-op
 * sums move in the last bits only), queue depth, warm-up — are left out, so tuning them does not
 * redo a batch or refuse a queue job.
 */
export async function describePipeline(
  graph: PipelineGraph,
  model: (file: string, stage: string, slot: string) => Promise<unknown>,
): Promise<unknown> {
  const nodes = [];
  for (const id of graph.order) {
    const node = graph.nodes.get(id)!;
    const models: Record<string, unknown> = {};
    for (const [slot, file] of Object.entries(node.models)) models[slot] = await model(file, id, slot);
    const { provider, tensorrt, precision, calibration } = node.settings;
    // Precision only where it is not the model as it is: pipelines hashed before it existed keep their hash.
    const variant =
      precision === 'fp32'
        ? {}
        : { precision, ...(calibration ? { calibration: await model(calibration, id, 'calibration') } : {}) };
    nodes.push({ id, kind: node.kind, options: node.options, models, provider, tensorrt, ...variant });
  }
  const edges = graph.edges.map((e) => `${e.from.node}.${e.from.port}->${e.to.node}.${e.to.port}`);
  return { nodes, edges, chunking: graph.chunking };
}
