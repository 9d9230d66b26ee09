/**
 * `reel worker`: takes render jobs from the queue and runs them on one engine (stage workers and
 * sessions stay loaded between jobs), `jobs` at once. A job is refused — failed at once, never
 * retried — when its inputs are bad or when this worker's pipeline is not the job's (another
 * version of a model file); runtime failures go back to the queue for a retry with backoff. The
 * main thread never blocks (inference runs in stage workers), so BullMQ's lock renewal keeps going
 * and a worker lost mid-job has its job taken over by another. On SIGTERM it stops taking jobs,
 * finishes those in hand — or, past the drain timeout, cancels them and puts them back — and ends.
 */
import { readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { CancelledError } from '../core/errors.ts';
import { oneLine, retryable } from '../batch/failures.ts';
import { onMediaProgress } from '../batch/run-batch.ts';
import type { PipelineGraph } from '../graph/types.ts';
import { openCostMemory } from '../runtime/cost-memory.ts';
import { runPipeline } from '../runtime/run-pipeline.ts';
import { StageEngine } from '../runtime/stage-engine.ts';
import {
  contentFingerprint,
  contentMismatch,
  QUEUE_NAME,
  type QueueJobData,
  type QueueJobResult,
} from './queue-job.ts';
import { connectionOptions, type RedisTarget } from './redis-url.ts';

export interface QueueWorkerOptions {
  target: RedisTarget;
  /** Jobs rendered at once. */
  jobs: number;
  /** Cores shared by the jobs in hand. @defaultValue all */
  cores?: number;
  /** After a stop is asked for, how long jobs in hand may take before they are put back, ms. */
  drainTimeoutMs: number;
  /** Aborted to stop (SIGTERM, SIGINT). */
  stop: AbortSignal;
  /** Builds a job's pipeline (from its file, profile and overrides); throws a ConfigError. */
  loadGraph(pipeline: QueueJobData['pipeline']): Promise<PipelineGraph>;
  /** Checks a job's inputs as `reel run` does; throws a ConfigError. */
  checkInputs(graph: PipelineGraph, inputs: Record<string, string>): Promise<Record<string, string>>;
  log(line: string): void;
  /** A folder of pipeline files to look in for a job's pipeline by content (`--pipelines DIR`). */
  pipelinesDir?: string;
  /** BullMQ's job lock, ms: a worker lost mid-job has its job taken over about this long after. @defaultValue 30000 */
  lockMs?: number;
}

export interface QueueWorkerSummary {
  completed: number;
  failed: number;
  /** Jobs cancelled by the drain timeout and put back on the queue. */
  returned: number;
}

/** The first pipeline file in `dir` that resolves, with the job's profile and overrides, to the job's content. */
async function findPipeline(
  dir: string,
  data: QueueJobData,
  load: QueueWorkerOptions['loadGraph'],
): Promise<PipelineGraph | undefined> {
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /\.ya?ml$/i.test(n)).sort();
  for (const name of names) {
    const graph = await load({ ...data.pipeline, file: path.join(dir, name) }).catch(() => undefined);
    if (graph && (await contentFingerprint(graph)).hash === data.contentHash) return graph;
  }
  return undefined;
}

export async function runQueueWorker(options: QueueWorkerOptions): Promise<QueueWorkerSummary> {
  const engine = StageEngine.forJobs(options.jobs, options.cores);
  // One job at a time grows replicas: each plans them from the costs earlier jobs measured.
  const costMemory = options.jobs === 1 ? await openCostMemory() : undefined;
  const drain = new AbortController();
  const summary: QueueWorkerSummary = { completed: 0, failed: 0, returned: 0 };
  const cores = options.cores === undefined ? undefined : Math.max(1, Math.floor(options.cores / options.jobs));
  const name = `${hostname()}:${process.pid}`; // who rendered a job, in its result

  /**
   * The job's pipeline on this worker: its file where the job says (shared storage), else the file
   * of `--pipelines DIR` that resolves to the same content; refused when neither matches.
   */
  const pipelineOf = async (data: QueueJobData): Promise<PipelineGraph> => {
    let graph: PipelineGraph | undefined;
    let refusal: string | undefined;
    try {
      graph = await options.loadGraph(data.pipeline);
      refusal = contentMismatch(data, await contentFingerprint(graph), graph);
    } catch (err) {
      if (!options.pipelinesDir) throw err;
      refusal = oneLine(err);
    }
    if (!refusal && graph) return graph;
    // Looked for again on every job (model hashes are cached by file version): a cached find would
    // skip the content check when a model there changes.
    const elsewhere = options.pipelinesDir
      ? await findPipeline(options.pipelinesDir, data, options.loadGraph)
      : undefined;
    if (elsewhere) return elsewhere;
    const searched = options.pipelinesDir ? ` (and no pipeline in ${options.pipelinesDir} matches)` : '';
    throw new UnrecoverableError(`refused: ${refusal}${searched}`);
  };

  const processor = async (job: Job<QueueJobData, QueueJobResult>, token?: string): Promise<QueueJobResult> => {
    const data = job.data;
    if (data?.version !== 1)
      throw new UnrecoverableError(`job ${job.id}: not a reel job of a version this worker knows`);
    let graph: PipelineGraph;
    let inputs: Record<string, string>;
    try {
      graph = await pipelineOf(data);
      inputs = await options.checkInputs(graph, data.inputs);
    } catch (err) {
      if (err instanceof UnrecoverableError) throw err;
      throw new UnrecoverableError(oneLine(err));
    }
    const t0 = performance.now();
    const warnings: string[] = [];
    const onEvent = onMediaProgress(graph, (seconds) => void job.updateProgress({ seconds }), warnings);
    try {
      const result = await runPipeline(graph, {
        inputs,
        outDir: data.outDir,
        cores,
        // Several jobs in hand keep the cores busy; replicas would stay warm for every later job.
        replicas: options.jobs === 1,
        engine,
        costMemory,
        signal: drain.signal,
        onEvent,
      });
      const files = Object.fromEntries(Object.entries(result.files).map(([k, v]) => [k, [...v]]));
      const wallMs = performance.now() - t0;
      return { files, mediaSeconds: result.metrics.mediaSeconds, warnings, wallMs, worker: name };
    } catch (err) {
      if (err instanceof CancelledError && drain.signal.aborted) {
        // Stopped by the drain timeout: back to the queue for another worker, not a failed attempt.
        await job.moveToWait(token);
        summary.returned++;
        throw new WaitingError();
      }
      if (retryable(err)) throw new Error(oneLine(err));
      throw new UnrecoverableError(oneLine(err));
    }
  };

  const lockDuration = options.lockMs ?? 30_000;
  const worker = new Worker<QueueJobData, QueueJobResult>(QUEUE_NAME, processor, {
    connection: connectionOptions(options.target),
    concurrency: options.jobs,
    lockDuration,
    stalledInterval: lockDuration,
    autorun: false,
  });
  worker.on('completed', (job, result) => {
    summary.completed++;
    options.log(`done  ${job.data.sample} in ${(result.wallMs / 1000).toFixed(2)} s → ${job.data.outDir}`);
  });
  worker.on('failed', (job, err) => {
    if (!job || err instanceof WaitingError || err.name === 'WaitingError') return;
    const final = job.attemptsMade >= (job.opts.attempts ?? 1) || err.name === 'UnrecoverableError';
    if (final) summary.failed++;
    options.log(`${final ? 'FAIL' : 'retry'}  ${job.data.sample}: ${err.message}`);
  });
  worker.on('error', (err) => options.log(`queue error: ${oneLine(err)}`));

  const stopped = new Promise<void>((resolve) => {
    if (options.stop.aborted) resolve();
    options.stop.addEventListener('abort', () => resolve(), { once: true });
  });
  const running = worker.run();
  await stopped;
  options.log(
    `stopping: finishing the jobs in hand (at most ${Math.round(options.drainTimeoutMs / 1000)} s, then they go back to the queue)`,
  );
  const timer = setTimeout(() => drain.abort(), options.drainTimeoutMs);
  try {
    await worker.close();
    await running;
  } finally {
    clearTimeout(timer);
    await engine.close();
  }
  return summary;
}
