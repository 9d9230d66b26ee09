/**
 * Load + build a pipeline for a command: the one place that ties the loader and graph builder to
 * the built-in stage kinds (and the user's own, named by file) and the bundled reference models.
 */
import { loadPipeline, type LoadOptions } from '../config/load.ts';
import { buildGraph, type BuiltGraph } from '../graph/build.ts';
import type { StageRegistry } from '../graph/nodes.ts';
import type { FamilyId } from '../../models/manifests/index.ts';
import { pretrainedModelPath } from '../../models/pretrained.ts';
import { referenceModelPath } from '../../models/reference.ts';
import { loadModuleKinds } from './module-kinds.ts';
import { SINK_KIND_FOR_OUTPUT, SOURCE_KIND_FOR_INPUT, STAGE_KINDS } from '../../stages/index.ts';

export const BUILTIN_REGISTRY: StageRegistry = {
  kinds: STAGE_KINDS,
  sourceFor: SOURCE_KIND_FOR_INPUT,
  sinkFor: SINK_KIND_FOR_OUTPUT,
};

export interface GraphOptions extends LoadOptions {
  /** `--kinds FILE` modules of stage kinds (relative to the working folder). */
  kinds?: readonly string[];
}

export async function loadGraph(file: string, options: GraphOptions = {}): Promise<BuiltGraph> {
  const loaded = await loadPipeline(file, options);
  const own = await loadModuleKinds(loaded, STAGE_KINDS, options.kinds);
  return buildGraph(loaded, {
    registry: Object.keys(own).length ? { ...BUILTIN_REGISTRY, kinds: { ...STAGE_KINDS, ...own } } : BUILTIN_REGISTRY,
    // Stage kinds name their families from models/manifests (checked by test/stages/kinds.test.ts).
    // A family reel ships a real model for (the face detector) gets it; the others a reference model.
    referenceModel: (family) =>
      pretrainedModelPath(family as FamilyId) ?? referenceModelPath(family as FamilyId, 'tiny'),
  });
}
