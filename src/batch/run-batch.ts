/**
 * Renders every sample of a batch: lists the samples lazily, admits them through a p-queue (listing
 * waits while the queue is full, so a folder of 100,000 samples costs no memory up front), skips the
 * ones the journal shows done and still valid, runs the others, records each outcome as it ends,
 * and isolates failures — a sample that fails is reported and retried (runtime failures only), the
 * others go on.
 *
 * Every sample's run takes its stage workers from one engine (StageEngine): threads, ONNX Runtime
 * and sessions start once for the batch; each clip gets fresh instances of its stateful stages,
 * and the samples in flight share those of the stateless ones (SharedHost).
 * `--jobs N` runs N samples at once, each with its share of the cores.
 */
import path from 'node:path';
import PQueue from 'p-queue';
import { CancelledError } from '../core/errors.ts';
import { warningLine } from '../core/warning-line.ts';
import { removePartialOutputs } from '../media/atomicOutput.ts';
import { oneLine, retryable } from './failures.ts';
import type { PipelineGraph } from '../graph/types.ts';
import type { RunEvent } from '../runtime/runner.ts';
import { type CostMemory, openCostMemory } from '../runtime/cost-memory.ts';
import { runPipeline } from '../runtime/run-pipeline.ts';
import { type EngineStats, StageEngine } from '../runtime/stage-engine.ts';
import { BatchJournal, type CheckResult, fingerprintFiles, type SampleRecord } from './journal.ts';
import { lockOutputFolder } from './lock.ts';
import { makeOutputFolder } from './output-folder.ts';
import { listSamples, type PipelineInputSpec, type SampleJob } from './samples.ts';

export interface BatchOptions {
  samples: string;
  outDir: string;
  /** Samples run at once. @defaultValue 1 */
  jobs?: number;
  /** Runs of a sample after a runtime failure. @defaultValue 1 */
  retries?: number;
  /** Redo every sample, done or not. */
  force?: boolean;
  /** Cores for the whole batch; each job gets its share. */
  cores?: number;
  signal?: AbortSignal;
  /** The graph a job runs: the batch's own, or one built with the job's `set` overrides. */
  graphFor(job: SampleJob): Promise<PipelineGraph>;
  /** Checks a job's inputs as `reel run` does (exists, media readable); throws a ConfigError. */
  checkInputs(graph: PipelineGraph, job: SampleJob): Promise<Record<string, string>>;
  /** A stable hash of the pipeline as a job runs it. */
  pipelineHash(graph: PipelineGraph): Promise<string>;
  onEvent?: (event: BatchEvent) => void;
  /**
   * Renders one sample; runs may be retried around it (`retries`). @defaultValue a run of the
   * pipeline in this process. A renderer that retries on its own (`reel batch --queue`) is tried once.
   */
  render?: (request: RenderRequest) => Promise<RenderedSample>;
}

/** One sample to render, as the batch hands it to a renderer. */
export interface RenderRequest {
  job: SampleJob;
  graph: PipelineGraph;
  /** File per pipeline input, checked. */
  inputs: Record<string, string>;
  /** `<batch out>/<sample>`. */
  outDir: string;
  /** The sample's share of the batch's cores. */
  cores?: number;
  /** Whether its stages may add replicas: not with several samples in flight (RunOptions.replicas). */
  replicas: boolean;
  engine: StageEngine;
  /** Stage costs remembered from run to run, when replicas may grow (RunOptions.costMemory). */
  costMemory?: CostMemory;
  signal?: AbortSignal;
  /** Seconds of the sample's media written so far. */
  onProgress(seconds: number): void;
}

export interface RenderedSample {
  /** Files written, by pipeline output name. */
  files: Record<string, readonly string[]>;
  mediaSeconds: number;
  /** Runs it took, where the renderer retried on its own (a queue). */
  attempts?: number;
  /** The stages' warnings (`warning: stage "faces": no face found …`), each once. */
  warnings?: string[];
}

export type SampleStatus = 'done' | 'skipped' | 'failed';

export interface SampleOutcome {
  id: string;
  origin: string;
  status: SampleStatus;
  /** Why it was skipped or redone ('new', 'inputs changed: voice', …), or the failure, one line. */
  reason: string;
  attempts: number;
  wallMs?: number;
  /** Media the sample's outputs hold, seconds (as recorded when it was rendered). */
  mediaSeconds?: number;
  outputs: string[];
  /** What the stages warned of while rendering it (a fallback box, a provider not the first choice). */
  warnings?: string[];
}

export type BatchEvent =
  | { type: 'started'; id: string; attempt: number; reason: string }
  /** A chunk of a sample's outputs is written: `seconds` of its media are done. */
  | { type: 'progress'; id: string; seconds: number }
  /** Every sample has been listed: the batch's size is known. */
  | { type: 'listed'; total: number }
  | { type: 'finished'; outcome: SampleOutcome };

export interface BatchResult {
  outcomes: SampleOutcome[];
  wallMs: number;
  /** Stage worker threads started for the whole batch, and instances that reused a warm one. */
  workers: EngineStats;
  jobs: number;
}

/** The pipeline's inputs as sample discovery needs them: name and type of each source. */
export function pipelineInputs(graph: PipelineGraph): PipelineInputSpec[] {
  const types: Record<string, PipelineInputSpec['type']> = {
    'audio-source': 'audio',
    'video-source': 'video',
    'image-source': 'image',
    'text-source': 'text',
  };
  return [...graph.nodes.values()]
    .filter((node) => node.role === 'source')
    .map((node) => ({
      name: node.binding ?? node.id,
      type: types[node.kind] ?? 'audio',
      ...(node.inputFrom ? { from: node.inputFrom } : {}),
    }));
}

export async function runBatch(graph: PipelineGraph, options: BatchOptions): Promise<BatchResult> {
  const started = performance.now();
  // The first sample is listed before anything is written: a samples folder or manifest that
  // cannot be read at all (a missing column, a file of the wrong kind) leaves no output folder.
  const listing = peeked(listSamples(options.samples, pipelineInputs(graph)));
  await listing.first;
  await makeOutputFolder(options.outDir);
  const lock = await lockOutputFolder(options.outDir);
  await removePartialOutputs(options.outDir, true);
  const journal = await BatchJournal.open(options.outDir);
  const jobs = Math.max(1, options.jobs ?? 1);
  const queue = new PQueue({ concurrency: jobs });
  const engine = StageEngine.forJobs(jobs, options.cores);
  // One sample at a time grows replicas: each plans them from the costs the samples before it
  // (or an earlier batch) measured, instead of measuring first.
  const costMemory = jobs === 1 ? await openCostMemory() : undefined;
  const outcomes: SampleOutcome[] = [];
  let broken: { err: unknown } | undefined;
  const finish = (outcome: SampleOutcome) => {
    outcomes.push(outcome);
    options.onEvent?.({ type: 'finished', outcome });
  };
  let listed = 0;
  try {
    for await (const entry of listing.entries) {
      listed++;
      if (options.signal?.aborted) break;
      if (entry.kind === 'problem') {
        const { id, origin, message } = entry.problem;
        await journal.record(failedRecord(id, message, ''));
        finish({ id, origin, status: 'failed', reason: message, attempts: 0, outputs: [] });
        continue;
      }
      // Listing waits here while the queue is full: samples are read as they are taken.
      await queue.onSizeLessThan(jobs);
      if (broken) break;
      queue
        .add(async () => finish(await renderSample(entry.job, journal, options, { jobs, engine, costMemory })))
        .catch((err: unknown) => {
          broken ??= { err };
          queue.clear();
        });
    }
    if (!broken && !options.signal?.aborted) options.onEvent?.({ type: 'listed', total: listed });
    await queue.onIdle();
    if (broken) throw broken.err; // a cancel, or the journal could not be written
    // A render elsewhere (a queue worker killed mid-job) may have left its partial file behind.
    if (options.render && !options.signal?.aborted) await removePartialOutputs(options.outDir, true);
  } finally {
    await engine.close();
    await journal.close();
    await lock.release();
  }
  if (options.signal?.aborted) throw new CancelledError('batch cancelled; finished samples are kept');
  return { outcomes, wallMs: performance.now() - started, workers: engine.stats, jobs };
}

async function renderSample(
  job: SampleJob,
  journal: BatchJournal,
  options: BatchOptions,
  runtime: { jobs: number; engine: StageEngine; costMemory?: CostMemory },
): Promise<SampleOutcome> {
  const { jobs, engine, costMemory } = runtime;
  const base = { id: job.id, origin: job.origin, outputs: [] as string[] };
  let graph: PipelineGraph;
  let inputs: Record<string, string>;
  let hash: string;
  try {
    graph = await options.graphFor(job);
    inputs = await options.checkInputs(graph, job);
    hash = await options.pipelineHash(graph);
  } catch (err) {
    const reason = oneLine(err);
    await journal.record(failedRecord(job.id, reason, ''));
    return { ...base, status: 'failed', reason, attempts: 0 };
  }
  const check: CheckResult = options.force
    ? { skip: false, reason: 'forced' }
    : await journal.check(job.id, hash, inputs);
  if (check.skip) {
    const previous = journal.get(job.id);
    return {
      ...base,
      status: 'skipped',
      reason: check.reason,
      attempts: 0,
      mediaSeconds: previous?.mediaSeconds,
      outputs: Object.values(previous?.outputs ?? {}).map((o) => path.join(options.outDir, o.path)),
      ...(previous?.warnings?.length && { warnings: previous.warnings }),
    };
  }
  // Fingerprinted before the render: an input changed during it is caught by the next run.
  const inputPrints = check.inputs ?? (await fingerprintFiles(inputs).catch(() => ({})));
  const cores = options.cores === undefined ? undefined : Math.max(1, Math.floor(options.cores / jobs));
  const retries = Math.max(0, options.retries ?? 1);
  const render = options.render ?? localRender;
  // A renderer elsewhere (the queue) retries on its own terms.
  const localRetries = options.render ? 0 : retries;
  let attempt = 0;
  for (;;) {
    attempt++;
    options.onEvent?.({ type: 'started', id: job.id, attempt, reason: check.reason });
    const t0 = performance.now();
    try {
      const result = await render({
        job,
        graph,
        inputs,
        outDir: path.join(options.outDir, job.id),
        cores,
        replicas: jobs === 1,
        engine,
        costMemory,
        signal: options.signal,
        onProgress: (seconds) => options.onEvent?.({ type: 'progress', id: job.id, seconds }),
      });
      const { mediaSeconds } = result;
      const attempts = result.attempts ?? attempt;
      const wallMs = performance.now() - t0;
      const files = Object.values(result.files).flat();
      const byKey = Object.fromEntries(
        Object.entries(result.files).flatMap(([name, paths]) =>
          paths.map((file, i) => [paths.length > 1 ? `${name}#${i}` : name, file] as const),
        ),
      );
      const prints = await fingerprintFiles(byKey);
      const warnings = result.warnings?.length ? { warnings: result.warnings } : {};
      const outputs: SampleRecord['outputs'] = {};
      for (const [key, file] of Object.entries(byKey))
        outputs[key] = { path: path.relative(options.outDir, file), ...prints[key] };
      await journal.record({
        id: job.id,
        status: 'done',
        pipelineHash: hash,
        inputs: inputPrints,
        outputs,
        wallMs,
        mediaSeconds,
        attempts,
        ...warnings,
        finishedAt: new Date().toISOString(),
      });
      return {
        ...base,
        status: 'done',
        reason: check.reason,
        attempts,
        wallMs,
        mediaSeconds,
        outputs: files,
        ...warnings,
      };
    } catch (err) {
      if (err instanceof CancelledError) throw err;
      if (attempt <= localRetries && retryable(err)) continue;
      const reason = oneLine(err);
      await journal.record(failedRecord(job.id, reason, hash));
      return { ...base, status: 'failed', reason, attempts: attempt, wallMs: performance.now() - t0 };
    }
  }
}

/**
 * A run's event handler that reports the seconds of media its outputs have reached, chunk by
 * chunk, and gathers the stages' warnings (each once) into `warnings`.
 */
export function onMediaProgress(
  graph: PipelineGraph,
  report: (seconds: number) => void,
  warnings: string[] = [],
): (event: RunEvent) => void {
  const sinks = new Set([...graph.nodes.values()].filter((n) => n.role === 'sink').map((n) => n.id));
  return (event) => {
    if (event.type === 'chunk' && sinks.has(event.stage)) report(event.chunk.end);
    if (event.type === 'log' && event.level === 'warning') {
      const line = warningLine(event.stage, event.line);
      if (!warnings.includes(line)) warnings.push(line);
    }
  };
}

/** Renders a sample in this process, on the batch's engine. */
async function localRender(request: RenderRequest): Promise<RenderedSample> {
  const { graph, inputs, outDir, cores, replicas, engine, costMemory, signal } = request;
  const warnings: string[] = [];
  const onEvent = onMediaProgress(graph, request.onProgress, warnings);
  const result = await runPipeline(graph, { inputs, outDir, cores, replicas, engine, costMemory, signal, onEvent });
  return { files: result.files, mediaSeconds: result.metrics.mediaSeconds, warnings };
}

/** An async iterable whose first entry is read at once (so its errors surface), then all of it. */
function peeked<T>(source: AsyncIterable<T>): { first: Promise<unknown>; entries: AsyncIterable<T> } {
  const iterator = source[Symbol.asyncIterator]();
  const first = iterator.next();
  first.catch(() => undefined); // awaited by the caller; this only keeps it from being unhandled
  return {
    first,
    entries: {
      async *[Symbol.asyncIterator]() {
        try {
          let next = await first;
          while (!next.done) {
            yield next.value;
            next = await iterator.next();
          }
        } finally {
          await iterator.return?.(); // a batch stopped early closes the listing (its open folder)
        }
      },
    },
  };
}

function failedRecord(id: string, error: string, pipelineHash: string): SampleRecord {
  return { id, status: 'failed', pipelineHash, inputs: {}, outputs: {}, error, finishedAt: new Date().toISOString() };
}
