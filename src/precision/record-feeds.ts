/**
 * A stage's real feeds on the user's samples: the pipeline runs once with the model in its stage
 * while the model layer records every run's feeds (src/inference/feed-recorder.ts). Calibration
 * (`reel models quantize --calibrate`) and precision comparisons (`reel models compare`) read them.
 *
 * The stage runs as one instance (`concurrency: 1`), so the recorded runs are the first chunks in
 * clip order, the same on every run: same samples, same calibration, same bytes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bindInputs } from '../cli/commands/run.ts';
import { loadGraph } from '../cli/pipeline.ts';
import { UsageError } from '../core/errors.ts';
import type { PipelineGraph } from '../graph/types.ts';
import { RECORD_FEEDS_ENV, readRecordedFeeds, type RecordedFeeds } from '../inference/feed-recorder.ts';
import { runPipeline } from '../runtime/index.ts';

export interface RecordFeedsOptions {
  pipeline: string;
  /** `NAME=PATH`, as `--input`. */
  inputs: readonly string[];
  set?: readonly string[];
  profile?: string;
  kinds?: readonly string[];
  /** The model whose feeds are recorded. */
  model: string;
  /** The stage that runs it; found by its model file when absent. */
  stage?: string;
  /** Runs recorded at most. */
  max: number;
  signal?: AbortSignal;
}

export interface RecordedStage {
  stage: string;
  slot: string;
  /** The model family of the slot (models/manifests). */
  family: string;
  feeds: RecordedFeeds[];
}

/** The (stage, slot) that loads `model`, or that `stage` names. */
function findSlot(graph: PipelineGraph, model: string, stage: string | undefined) {
  const nodes = [...graph.nodes.values()];
  for (const node of nodes) {
    if (stage !== undefined && node.id !== stage) continue;
    for (const [slot, file] of Object.entries(node.models))
      if (path.resolve(file) === model) return { node, slot, loaded: true };
  }
  if (stage === undefined) {
    const withModels = nodes.filter((n) => Object.keys(n.models).length > 0).map((n) => n.id);
    throw new UsageError(
      `${model}: no stage of ${graph.file} loads this model; name the stage that should run it with --stage (one of ${withModels.join(', ')})`,
    );
  }
  const node = graph.nodes.get(stage);
  const slots = node ? Object.keys(node.models) : [];
  if (!node || slots.length === 0) {
    const withModels = nodes.filter((n) => Object.keys(n.models).length > 0).map((n) => n.id);
    throw new UsageError(
      `--stage ${stage}: ${graph.file} has no stage "${stage}" with a model (stages with one: ${withModels.join(', ')})`,
    );
  }
  if (slots.length > 1)
    throw new UsageError(
      `--stage ${stage}: the stage loads ${slots.length} models (${slots.join(', ')}); point the one to record at the file with --set stages.${stage}.model.SLOT=${model}`,
    );
  return { node, slot: slots[0], loaded: false };
}

export async function recordStageFeeds(o: RecordFeedsOptions): Promise<RecordedStage> {
  const model = path.resolve(o.model);
  const options = { profile: o.profile, set: [...(o.set ?? [])], kinds: o.kinds ? [...o.kinds] : undefined };
  let { graph } = await loadGraph(o.pipeline, options);
  const found = findSlot(graph, model, o.stage);
  const id = found.node.id;
  options.set.push(`stages.${id}.concurrency=1`);
  if (!found.loaded) options.set.push(`stages.${id}.model=${JSON.stringify(model)}`);
  ({ graph } = await loadGraph(o.pipeline, options));
  const family = graph.nodes.get(id)!.def.models?.[found.slot]?.family ?? 'unknown';

  const dir = await mkdtemp(path.join(tmpdir(), 'reel-feeds-'));
  const before = process.env[RECORD_FEEDS_ENV];
  try {
    process.env[RECORD_FEEDS_ENV] = JSON.stringify({ dir, model, max: o.max });
    await runPipeline(graph, {
      inputs: bindInputs(graph, o.inputs),
      outDir: path.join(dir, 'out'),
      mode: 'pipelined',
      signal: o.signal,
    });
    const feeds = readRecordedFeeds(dir, o.max);
    if (feeds.length === 0)
      throw new UsageError(
        `stage "${id}" ran no chunk through ${model}; check the inputs (--input) and the stage's wiring`,
      );
    return { stage: id, slot: found.slot, family, feeds };
  } finally {
    if (before === undefined) delete process.env[RECORD_FEEDS_ENV];
    else process.env[RECORD_FEEDS_ENV] = before;
    await rm(dir, { recursive: true, force: true });
  }
}
