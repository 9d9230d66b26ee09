/**
 * What travels on the queue: one job per sample, carrying paths (the samples and the output folder
 * are on storage every worker sees), never media bytes; and the pipeline named by content — its
 * resolved stages with each model file by sha256, not by path — so that a worker holding another
 * version of a model refuses the job instead of rendering with the wrong weights.
 */
import { stat } from 'node:fs/promises';
import { ensureIfReferenceModel } from '../../models/reference.ts';
import { fingerprintFile, pipelineHash } from '../batch/fingerprint.ts';
import { describePipeline } from '../batch/pipeline-fingerprint.ts';
import type { PipelineGraph } from '../graph/types.ts';

/** The BullMQ queue `reel batch --queue` fills and `reel worker` takes from. */
export const QUEUE_NAME = 'reel-render';

export interface QueueJobData {
  version: 1;
  /** The sample's id in its batch (its output folder's name). */
  sample: string;
  /**
   * How to build the pipeline: its file (absolute, on shared storage), profile, overrides and the
   * `--kinds` modules of stage kinds (absolute; absent from batches before they were kept).
   */
  pipeline: { file: string; profile?: string; set: string[]; kinds?: string[] };
  /** The pipeline as it must run (see contentFingerprint). */
  contentHash: string;
  /** Each model file's sha256, by `stage.slot`, to name the one that differs. */
  models: Record<string, string>;
  /** File per pipeline input name, absolute. */
  inputs: Record<string, string>;
  /** Where the sample's outputs go (`<batch out>/<sample>`), absolute. */
  outDir: string;
}

export interface QueueJobResult {
  /** Files written, by pipeline output name (absolute paths). */
  files: Record<string, string[]>;
  mediaSeconds: number;
  /** The stages' warnings while rendering it, each once (absent from workers before they were kept). */
  warnings?: string[];
  wallMs: number;
  /** The worker that rendered it: host and pid. */
  worker: string;
}

/** Progress a worker reports while a job renders: seconds of the sample's media written. */
export interface QueueJobProgress {
  seconds: number;
}

const modelHashes = new Map<string, Promise<string>>();

/** A model's sha256, hashed once per process per version of the file (path, size, mtime). */
async function modelHash(file: string): Promise<string> {
  await ensureIfReferenceModel(file); // written on first use: it may not exist yet
  const s = await stat(file);
  const key = `${file}\n${s.size}\n${s.mtimeMs}`;
  let hash = modelHashes.get(key);
  if (!hash) {
    hash = fingerprintFile(file).then((f) => f.sha256);
    modelHashes.set(key, hash);
    hash.catch(() => modelHashes.delete(key));
  }
  return hash;
}

/**
 * The pipeline by content: every stage's kind, options, provider and TensorRT settings, each model
 * by sha256, the wiring and the chunking — what decides the output bytes. Paths are left out (two
 * machines may keep the same model in different places); threads and replicas too (speed only).
 */
export async function contentFingerprint(
  graph: PipelineGraph,
): Promise<{ hash: string; models: Record<string, string> }> {
  const models: Record<string, string> = {};
  const described = await describePipeline(graph, async (file, stage, slot) => {
    models[`${stage}.${slot}`] = await modelHash(file);
    return models[`${stage}.${slot}`];
  });
  return { hash: pipelineHash(described), models };
}

/**
 * Why a worker's pipeline is not the job's, one line: the first model that differs by name, else
 * the settings. Undefined when they are the same.
 */
export function contentMismatch(
  job: Pick<QueueJobData, 'contentHash' | 'models'>,
  mine: { hash: string; models: Record<string, string> },
  graph: PipelineGraph,
): string | undefined {
  if (job.contentHash === mine.hash) return undefined;
  for (const [key, sha] of Object.entries(job.models)) {
    const have = mine.models[key];
    if (have === sha) continue;
    const [stage, slot] = key.split('.');
    const file = graph.nodes.get(stage!)?.models[slot!];
    return have === undefined
      ? `stage "${stage}" has no model "${slot}" on this worker`
      : `stage "${stage}" model "${slot}": this worker's ${file} is another version (sha256 ${have.slice(0, 12)}…, the job's ${sha.slice(0, 12)}…) — give every worker the same model files`;
  }
  return 'the pipeline on this worker resolves differently (stages, options or wiring) — give every worker the same pipeline file and reel version';
}
