/**
 * Runs a validated pipeline graph over one clip: creates every stage instance (inference stages
 * in their own worker threads), wires bounded queues along the edges, and schedules chunks until
 * every sink has completed — or until the first failure or cancellation, after which every
 * instance, worker and child process is gone and the run's temp folder is removed before the
 * returned promise settles.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancelledError, StageError } from '../core/errors.ts';
import { sourceNeeds } from '../graph/source-needs.ts';
import { startBufferReclaim } from './buffer-reclaim.ts';
import type { GraphNode, PipelineGraph } from '../graph/types.ts';
import type { RunMetrics } from '../metrics/stage-metrics.ts';
import { TraceRecorder, type TraceEvent } from '../metrics/trace.ts';
import { joinCapacity, lookaheadDepths } from './flow-control.ts';
import { createInProcessHost } from './in-process-host.ts';
import { InputQueue } from './input-queue.ts';
import { creatorOf, OutputEdges, stageError, type Runner, type RunEvent, type RunnerEnv } from './runner.ts';
import { Scheduler, type ExecutionMode } from './scheduler.ts';
import { SinkRunner } from './sink-runner.ts';
import { createSourceHost, SourceRunner } from './source-runner.ts';
import type { HostContext, HostSpec } from './transform-host.ts';
import { TransformRunner } from './transform-runner.ts';
import { createWorkerHost } from './worker-host.ts';

export interface RunOptions {
  /** File per pipeline input name (`--input NAME=PATH`). */
  inputs?: Readonly<Record<string, string>>;
  /** Where sinks write (`--out DIR`). */
  outDir: string;
  /** @defaultValue 'pipelined' */
  mode?: ExecutionMode;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Fail a chunk that spends longer than this in one stage, ms. @defaultValue no limit */
  stageTimeoutMs?: number;
  /** Host inference stages in worker threads (pipelined mode only). @defaultValue true */
  workers?: boolean;
}

export interface RunResult {
  /** Files written, by pipeline output name (a sink's binding, else its node id). */
  files: Record<string, readonly string[]>;
  metrics: RunMetrics;
  /** Chrome trace events: one span per stage per chunk (see writeTrace). */
  trace: readonly TraceEvent[];
}

export async function runPipeline(graph: PipelineGraph, options: RunOptions): Promise<RunResult> {
  for (const node of graph.nodes.values()) {
    if (!node.def.create) {
      throw new StageError(
        { pipeline: graph.name, stage: node.id },
        `stage kind "${node.kind}" is declared but not implemented yet`,
      );
    }
  }
  if (options.signal?.aborted) throw new CancelledError(`${graph.name}: cancelled before it started`);
  const tempDir = await mkdtemp(join(tmpdir(), 'reel-run-'));
  const run = new PipelineRun(graph, options, tempDir);
  const stopReclaim = startBufferReclaim();
  try {
    return await run.execute();
  } finally {
    stopReclaim();
    await run.close();
    await rm(tempDir, { recursive: true, force: true });
  }
}

class PipelineRun {
  private readonly mode: ExecutionMode;
  private readonly trace = new TraceRecorder();
  private readonly queues: InputQueue[] = [];
  private readonly runners: Runner[] = [];
  private readonly scheduler: Scheduler;
  private readonly env: RunnerEnv;
  private readonly started = performance.now();
  private peakRss = process.memoryUsage.rss();
  private startupMs = 0;
  private readonly rssTimer: NodeJS.Timeout;
  private failure: unknown;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private readonly onAbort = () => this.fail(new CancelledError(`${this.graph.name}: cancelled`));

  constructor(
    private readonly graph: PipelineGraph,
    private readonly options: RunOptions,
    private readonly tempDir: string,
  ) {
    this.mode = options.mode ?? 'pipelined';
    this.env = {
      pipeline: graph.name,
      trace: this.trace,
      schedule: () => this.scheduler.schedule(),
      fail: (err) => this.fail(err),
      emit: (event) => options.onEvent?.(event),
      stageTimeoutMs: options.stageTimeoutMs,
      fanout: new WeakMap(),
    };
    this.buildRunners();
    this.scheduler = new Scheduler(
      this.runners,
      this.queues,
      this.mode,
      () => this.settle?.resolve(),
      (err) => this.fail(err),
    );
    this.rssTimer = setInterval(() => (this.peakRss = Math.max(this.peakRss, process.memoryUsage.rss())), 50).unref();
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (options.signal?.aborted) this.onAbort(); // aborted while the temp folder was made
  }

  async execute(): Promise<RunResult> {
    const finished = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    finished.catch(() => undefined); // a failure while hosts start is rethrown below instead
    await this.createHosts();
    this.startupMs = performance.now() - this.started;
    if (this.failure) throw this.failure;
    this.scheduler.schedule();
    await finished;
    // Every sink has finished: only now do the outputs appear under their final names, together.
    await Promise.all(this.runners.map((runner) => runner.commit()));
    return this.result();
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    clearInterval(this.rssTimer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
    await Promise.allSettled(this.runners.map((runner) => runner.dispose()));
  }

  private fail(err: unknown): void {
    if (this.failure) return;
    this.failure = err;
    this.scheduler.stop();
    this.settle?.reject(err);
  }

  private buildRunners(): void {
    const depth = lookaheadDepths(this.graph);
    const inputsOf = new Map<string, InputQueue[]>();
    const outputsOf = new Map<string, Map<string, InputQueue[]>>();
    for (const edge of this.graph.edges) {
      const consumer = this.graph.nodes.get(edge.to.node)!;
      const spec = consumer.def.inputs[edge.to.port];
      // A whole input arrives as one packet: once it has, the join goes on without it.
      const queue = new InputQueue(
        consumer.id,
        edge.to.port,
        joinCapacity(this.graph, edge, depth),
        spec?.optional || spec?.whole,
      );
      this.queues.push(queue);
      inputsOf.set(consumer.id, [...(inputsOf.get(consumer.id) ?? []), queue]);
      const byPort = outputsOf.get(edge.from.node) ?? new Map<string, InputQueue[]>();
      byPort.set(edge.from.port, [...(byPort.get(edge.from.port) ?? []), queue]);
      outputsOf.set(edge.from.node, byPort);
    }
    for (const id of this.graph.order) {
      const node = this.graph.nodes.get(id)!;
      const outputs = new OutputEdges(node, outputsOf.get(id) ?? new Map(), this.env);
      const inputs = inputsOf.get(id) ?? [];
      const role = node.def.role;
      this.runners.push(
        role === 'source'
          ? new SourceRunner(node, outputs, this.env)
          : role === 'sink'
            ? new SinkRunner(node, inputs, this.env)
            : new TransformRunner(node, inputs, outputs, this.env),
      );
    }
  }

  private hostContext(node: GraphNode): HostContext {
    return {
      id: node.id,
      models: node.models,
      settings: node.settings,
      tempDir: this.tempDir,
      chunking: {
        seconds: this.graph.chunking.seconds,
        silenceSearchSeconds: this.graph.chunking.silenceSearchSeconds,
      },
      ...(node.def.role === 'source' ? this.sourceContext(node) : {}),
      ...(node.def.role === 'sink' ? { outputName: node.binding ?? node.id, outDir: this.options.outDir } : {}),
    };
  }

  private sourceContext(node: GraphNode): Partial<HostContext> {
    const needs = sourceNeeds(this.graph, node.id);
    return {
      inputPath: this.options.inputs?.[node.binding ?? node.id],
      wholeInput: needs.whole,
      granularitySeconds: needs.granularitySeconds,
    };
  }

  /** Creates every instance at once (workers start in parallel); one failure undoes them all. */
  private async createHosts(): Promise<void> {
    const useWorkers = this.mode === 'pipelined' && this.options.workers !== false;
    const starting = this.runners.map((runner) =>
      this.createHostsOf(runner, useWorkers).catch((err) => {
        throw stageError(this.graph.name, runner.node.id, undefined, err);
      }),
    );
    const results = await Promise.allSettled(starting);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) this.fail(failed.reason);
  }

  private async createHostsOf(runner: Runner, useWorkers: boolean): Promise<void> {
    const node = runner.node;
    const def = node.def;
    const log = (line: string) => this.options.onEvent?.({ type: 'log', stage: node.id, line });
    const context = this.hostContext(node);
    if (runner instanceof SourceRunner && def.role === 'source') {
      return runner.attach(await createSourceHost(def, node.options, { ...context, log, outputRoom: async () => {} }));
    }
    if (runner instanceof SinkRunner && def.role === 'sink') {
      return runner.attach(
        await creatorOf(def)(node.options as never, {
          ...context,
          signal: runner.abort.signal,
          log,
          outputRoom: async () => {},
        }),
      );
    }
    if (!(runner instanceof TransformRunner) || def.role !== 'transform')
      throw new Error(`node "${node.id}" has no runner for role ${def.role}`);
    const spec: HostSpec = {
      def,
      options: node.options,
      context,
      log,
      outputRoom: () => runner.awaitRoom(),
      shared: (packet) => (this.env.fanout.get(packet) ?? 1) > 1,
    };
    const concurrency = this.mode === 'sequential' ? 1 : node.settings.concurrency;
    const inWorker = useWorkers && def.thread === 'worker';
    const created = await Promise.allSettled(
      Array.from({ length: concurrency }, () => (inWorker ? createWorkerHost(spec) : createInProcessHost(spec))),
    );
    // Attach what was created, so that close() disposes it even when a sibling failed.
    runner.attach(created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : [])));
    const failed = created.find((c) => c.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private result(): RunResult {
    const files: Record<string, readonly string[]> = {};
    for (const runner of this.runners) {
      if (Object.keys(runner.node.def.outputs).length === 0)
        files[runner.node.binding ?? runner.node.id] = runner.files();
    }
    return {
      files,
      metrics: {
        pipeline: this.graph.name,
        mode: this.mode,
        wallMs: Math.round((performance.now() - this.started) * 1000) / 1000,
        startupMs: Math.round(this.startupMs * 1000) / 1000,
        peakRssBytes: this.peakRss,
        processPeakRssBytes: process.resourceUsage().maxRSS * 1024,
        stages: this.runners.map((runner) => runner.metrics.snapshot()),
      },
      trace: this.trace.list(),
    };
  }
}
