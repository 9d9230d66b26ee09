/**
 * Stages' real feeds on the user's samples: the pipeline runs once while the model layer records
 * every run's feeds of the chosen models (src/inference/feed-recorder.ts). Calibration (`reel
 * models quantize --calibrate`) and precision comparisons (`reel models compare`, `reel bench
 * --compare-precision`) read them.
 *
 * Each recorded stage runs as one instance (`concurrency: 1`), so the recorded runs are the first
 * chunks in clip order, the same on every run: same samples, same calibration, same bytes. The disk
 * cache is off meanwhile, so a cached stage runs its model too. Both switches are process
 * environment variables (stage workers share them): while a recording runs, another pipeline run
 * in the same process would record too and skip the cache — the commands run one pipeline at a time.
 * Two stages that load one file record into one folder (its feeds, whichever stage fed them).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bindInputs } from '../cli/commands/run.ts';
import { loadGraph } from '../cli/pipeline.ts';
import { UsageError } from '../core/errors.ts';
import type { PipelineGraph } from '../graph/types.ts';
import {
  RECORD_FEEDS_ENV,
  readRecordedFeeds,
  recordedFeedsDir,
  type FeedRecordingRequest,
  type RecordedFeeds,
} from '../inference/feed-recorder.ts';
import { runPipeline } from '../runtime/index.ts';

export interface PipelineSamples {
  pipeline: string;
  /** `NAME=PATH`, as `--input`. */
  inputs: readonly string[];
  set?: readonly string[];
  profile?: string;
  kinds?: readonly string[];
  signal?: AbortSignal;
}

/** One model a stage loads. */
export interface StageModel {
  stage: string;
  slot: string;
  /** The model family of the slot (models/manifests). */
  family: string;
  /** Absolute path. */
  file: string;
}

export interface RecordedStage extends StageModel {
  feeds: RecordedFeeds[];
}

/** Every model the graph's stages load, in stage order. */
export function stageModels(graph: PipelineGraph): StageModel[] {
  const out: StageModel[] = [];
  for (const id of graph.order) {
    const node = graph.nodes.get(id)!;
    for (const [slot, file] of Object.entries(node.models))
      out.push({ stage: id, slot, family: node.def.models?.[slot]?.family ?? 'unknown', file: path.resolve(file) });
  }
  return out;
}

/**
 * Runs the pipeline once, recording up to `max` runs of each of `pick`'s models (all of them by
 * default). `pick` sees the graph as loaded; the stages it picks run as one instance each.
 */
export async function recordFeeds(
  o: PipelineSamples & { max: number; pick?: (graph: PipelineGraph) => StageModel[] },
): Promise<RecordedStage[]> {
  const options = { profile: o.profile, set: [...(o.set ?? [])], kinds: o.kinds ? [...o.kinds] : undefined };
  const first = await loadGraph(o.pipeline, options);
  const picked = (o.pick ?? stageModels)(first.graph);
  for (const stage of new Set(picked.map((m) => m.stage))) options.set.push(`stages.${stage}.concurrency=1`);
  const { graph } = await loadGraph(o.pipeline, options);

  const dir = await mkdtemp(path.join(tmpdir(), 'reel-feeds-'));
  const files = [...new Set(picked.map((m) => m.file))];
  const request: FeedRecordingRequest = { dir, models: files, max: o.max };
  // The disk cache would answer a cached stage (prompt embeddings) without running its model.
  const before = { record: process.env[RECORD_FEEDS_ENV], cache: process.env.REEL_CACHE_MAX };
  try {
    process.env[RECORD_FEEDS_ENV] = JSON.stringify(request);
    process.env.REEL_CACHE_MAX = '0';
    await runPipeline(graph, {
      inputs: await bindInputs(graph, o.inputs),
      outDir: path.join(dir, 'out'),
      mode: 'pipelined',
      signal: o.signal,
    });
    return picked.map((m) => ({
      ...m,
      feeds: readRecordedFeeds(recordedFeedsDir(request, files.indexOf(m.file)), o.max),
    }));
  } finally {
    restoreEnv(RECORD_FEEDS_ENV, before.record);
    restoreEnv('REEL_CACHE_MAX', before.cache);
    await rm(dir, { recursive: true, force: true });
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

/** The (stage, slot) that loads `model`, or that `stage` names (then `set` points it at the model). */
function findSlot(
  graph: PipelineGraph,
  model: string,
  stage: string | undefined,
): { found: StageModel; set: string[] } {
  const all = stageModels(graph);
  const named = stage === undefined ? all : all.filter((m) => m.stage === stage);
  const loaded = named.find((m) => m.file === model);
  if (loaded) return { found: loaded, set: [] };
  const withModels = [...new Set(all.map((m) => m.stage))].join(', ');
  if (stage === undefined)
    throw new UsageError(
      `${model}: no stage of ${graph.file} loads this model; name the stage that should run it with --stage (one of ${withModels})`,
    );
  if (named.length === 0)
    throw new UsageError(
      `--stage ${stage}: ${graph.file} has no stage "${stage}" with a model (stages with one: ${withModels})`,
    );
  if (named.length > 1)
    throw new UsageError(
      `--stage ${stage}: the stage loads ${named.length} models (${named.map((m) => m.slot).join(', ')}); point the one to record at the file with --set stages.${stage}.model.SLOT=${model}`,
    );
  return { found: { ...named[0], file: model }, set: [`stages.${stage}.model=${JSON.stringify(model)}`] };
}

/** The feeds of one model: the stage that loads it, or `stage` made to load it. */
export async function recordStageFeeds(
  o: PipelineSamples & { model: string; stage?: string; max: number },
): Promise<RecordedStage> {
  const model = path.resolve(o.model);
  const { graph } = await loadGraph(o.pipeline, {
    profile: o.profile,
    set: [...(o.set ?? [])],
    kinds: o.kinds ? [...o.kinds] : undefined,
  });
  const { found, set } = findSlot(graph, model, o.stage);
  const [recorded] = await recordFeeds({
    ...o,
    set: [...(o.set ?? []), ...set],
    pick: (g) => stageModels(g).filter((m) => m.stage === found.stage && m.slot === found.slot),
  });
  if (recorded.feeds.length === 0)
    throw new UsageError(
      `stage "${found.stage}" ran no chunk through ${model}; check the inputs (--input) and the stage's wiring`,
    );
  return recorded;
}
