/**
 * Runs a validated pipeline graph over one clip: creates every stage instance (inference stages
 * in their own worker threads), wires bounded queues along the edges, and schedules chunks until
 * every sink has completed — or until the first failure or cancellation, after which every
 * instance, worker and child process is gone and the run's temp folder is removed before the
 * returned promise settles.
 */
import { setMaxListeners } from 'node:events';
import { rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { CancelledError, StageError } from '../core/errors.ts';
import { itemSpecOf, type LogLevel, type TransformDefinition } from '../core/stage.ts';
import { sourceNeeds } from '../graph/source-needs.ts';
import { startBufferReclaim } from './buffer-reclaim.ts';
import type { GraphNode, PipelineGraph } from '../graph/types.ts';
import type { RunMetrics, StageMetrics } from '../metrics/stage-metrics.ts';
import { runBound } from '../metrics/run-bound.ts';
import { TraceRecorder, type TraceEvent } from '../metrics/trace.ts';
import {
  type BudgetStage,
  describePlan,
  replicaTargets,
  type StagePlan,
  startPlan,
  workerCores,
} from './core-budget.ts';
import { type CostContext, type CostMemory, costContext, costKey, type RememberedCost } from './cost-memory.ts';
import { joinCapacity, lookaheadDepths } from './flow-control.ts';
import { createInProcessHost } from './in-process-host.ts';
import { InputQueue } from './input-queue.ts';
import { creatorOf, OutputEdges, stageError, type Runner, type RunEvent, type RunnerEnv } from './runner.ts';
import { makeRunFolder } from './run-temp.ts';
import { postedMoreThanOnce } from './shared-outputs.ts';
import { Scheduler, type ExecutionMode } from './scheduler.ts';
import { SinkRunner } from './sink-runner.ts';
import { createSourceHost, SourceRunner } from './source-runner.ts';
import type { HostContext, HostSpec } from './transform-host.ts';
import { MEMORY_ENV, MEMORY_SHARE, machineMemoryBytes } from './machine-memory.ts';
import { TransformRunner } from './transform-runner.ts';
import { StageEngine } from './stage-engine.ts';
import { createWorkerHost, endStageWorker, spawnStageWorker, type StageWorker } from './worker-host.ts';

/** How often the plan is decided again while first items of even cost run (watchFirstItems), ms. */
const FIRST_ITEMS_TICK_MS = 20;
/**
 * A first item's time so far counts as its stage's cost only from this long on: a warm worker
 * handed over by a batch's engine starts in a few ms, and any item would outlast that at once.
 */
const ESTIMATE_AFTER_MS = 100;

export interface RunOptions {
  /**
   * File per pipeline input name (`--input NAME=PATH`). A promise lets the stage workers start
   * while the inputs are still being checked (probed); a rejection fails the run with that error.
   */
  inputs?: Readonly<Record<string, string>> | Promise<Readonly<Record<string, string>>>;
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
  /** Cores the run's budget splits across stages. @defaultValue os.availableParallelism() */
  cores?: number;
  /**
   * Stage workers kept warm between runs (a batch's): this run takes its workers from it where
   * it has them and gives them back when it ends cleanly. @defaultValue workers of its own
   */
  engine?: StageEngine;
  /**
   * Whether stages with `concurrency: auto` may add replicas as the run measures them. A batch with
   * several samples in flight turns it off: its samples keep the cores busy, and every replica a
   * sample grows is kept warm by the engine for the rest of the batch. An explicit
   * `concurrency: N` is kept either way. @defaultValue true
   */
  replicas?: boolean;
  /**
   * Stage costs remembered from earlier runs on this machine (cost-memory.ts). A pipelined run
   * whose every growable stage is remembered plans their replicas at its start instead of after
   * measuring them; a run that ends cleanly remembers what it measured of each growable stage that
   * ran three items or more.
   * @defaultValue nothing remembered
   */
  costMemory?: CostMemory;
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
  const tempDir = await makeRunFolder();
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
  private readonly rssAtStart = this.peakRss;
  private memoryEstimate = 0;
  /** Memory the run may plan replicas within, bytes (read once), and whether it has said that it stopped one. */
  private readonly memoryCap = MEMORY_SHARE * machineMemoryBytes();
  private memoryCapSaid = false;
  private startupMs = 0;
  private readonly rssTimer: NodeJS.Timeout;
  private firstItemsTimer: NodeJS.Timeout | undefined;
  private failure: unknown;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | undefined;
  private readonly onAbort = () => this.fail(new CancelledError(`${this.graph.name}: cancelled`));
  private readonly cores: number;
  private readonly useWorkers: boolean;
  /** Replicas and threads per transform, as planned at start and grown since. */
  private readonly plans = new Map<string, StagePlan>();
  private readonly budgetStages = new Map<string, BudgetStage>();
  /** How each transform's instances are made, for the replicas added while the run goes. */
  private readonly hostSpecs = new Map<string, HostSpec>();
  /**
   * Worker threads started with the run, before any stage is given to them, so that the replicas
   * the first measured plan asks for start in a fraction of the time; the ones it does not use stop.
   */
  private spares: StageWorker[] = [];
  /** Replicas being started, so that close() waits for them. */
  private readonly growing = new Set<Promise<void>>();
  private budgetLine = '';
  /** How long each transform's instances took to start, ms (what a replica will cost). */
  private readonly instanceStartMs = new Map<string, number>();
  /** The inputs once bound; until then the stages' start-up lines wait in `heldLogs`. */
  private inputs: Readonly<Record<string, string>> | undefined;
  private heldLogs: RunEvent[] | undefined = [];
  /** Stops the workers still starting when an input turns out bad (every worker host listens). */
  private readonly startAbort = withoutListenerLimit(new AbortController());
  /** Engine keys by node id, computed once (see engineKey). */
  private readonly engineKeys = new Map<string, string>();
  /** The transform runners by node id (the budget asks after them on every chunk). */
  private readonly transforms = new Map<string, TransformRunner>();
  /** The clip's length, from the chunked sources that know it, once they are up. */
  private clipSeconds: number | undefined;
  /** Lines each stage has logged (stage id, newline, line), so that replicas do not repeat them. */
  private readonly logged = new Set<string>();
  /** Costs remembered from an earlier run, by node id: every growable stage's, or none. */
  private readonly remembered = new Map<string, RememberedCost>();
  /** Where this run measures its costs (part of their keys), taken once. */
  private measuredOn: CostContext | undefined;
  /**
   * Whether replicas were started on remembered costs or during a first item, and whether the
   * estimate was taken again since.
   */
  private grewOnMemory = false;
  private estimatedMeasured = false;
  private closed = false;

  constructor(
    private readonly graph: PipelineGraph,
    private readonly options: RunOptions,
    private readonly tempDir: string,
  ) {
    this.mode = options.mode ?? 'pipelined';
    this.cores = Math.max(1, Math.floor(options.cores ?? availableParallelism()));
    this.useWorkers = this.mode === 'pipelined' && options.workers !== false;
    this.env = {
      pipeline: graph.name,
      trace: this.trace,
      schedule: () => this.scheduler.schedule(),
      fail: (err) => this.fail(err),
      emit: (event) => {
        options.onEvent?.(event);
        if (event.type === 'chunk') this.rebalance();
      },
      stageTimeoutMs: options.stageTimeoutMs,
      fanout: new WeakMap(),
    };
    this.buildRunners();
    this.planBudget();
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
    // Chunked sources only: an input read whole (a voice prompt) or looped (a face) says nothing
    // of the clip's length.
    const lengths = this.runners.flatMap((r) => {
      if (!(r instanceof SourceRunner) || !r.clipSeconds) return [];
      const needs = sourceNeeds(this.graph, r.node.id);
      return needs.whole || needs.loop ? [] : [r.clipSeconds];
    });
    if (lengths.length > 0) {
      this.clipSeconds = Math.max(...lengths);
      this.options.onEvent?.({ type: 'length', seconds: this.clipSeconds });
    }
    if (this.plans.size > 0) this.options.onEvent?.({ type: 'budget', line: `core budget: ${this.budgetLine}` });
    // With every growable stage's cost remembered, the replicas start now, from the spares.
    if (this.recallCosts()) this.rebalance(true);
    else this.watchFirstItems();
    this.scheduler.schedule();
    await finished;
    // Every sink has finished: only now do the outputs appear under their final names, together.
    await Promise.all(this.runners.map((runner) => runner.commit()));
    await this.rememberCosts();
    return this.result();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.scheduler.stop();
    await this.releaseSpares();
    await Promise.allSettled([...this.growing]);
    clearInterval(this.rssTimer);
    clearInterval(this.firstItemsTimer);
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
      const runner =
        role === 'source'
          ? new SourceRunner(node, outputs, this.env)
          : role === 'sink'
            ? new SinkRunner(node, inputs, this.env)
            : new TransformRunner(node, inputs, outputs, this.env);
      this.runners.push(runner);
      if (runner instanceof TransformRunner) this.transforms.set(id, runner);
    }
  }

  private hostContext(node: GraphNode): HostContext {
    return {
      id: node.id,
      models: node.models,
      settings: node.settings,
      tempDir: this.tempDir,
      chunking: { ...this.graph.chunking },
      ...(node.def.role === 'source' ? this.sourceContext(node) : {}),
      ...(node.def.role === 'sink' ? { outputName: node.binding ?? node.id, outDir: this.options.outDir } : {}),
    };
  }

  private sourceContext(node: GraphNode): Partial<HostContext> {
    const needs = sourceNeeds(this.graph, node.id);
    return {
      inputPath: this.inputs?.[node.binding ?? node.id],
      wholeInput: needs.whole,
      loopInput: needs.loop,
      granularitySeconds: needs.granularitySeconds,
    };
  }

  /**
   * The most memory the run should reach once `instances` are up, bytes: what it holds now, after
   * every stage has run an item at full size (its session's buffers grown), plus, per instance still
   * to come, what each one costs now on average (its thread, its session, its chunks in flight),
   * with a quarter more for the heaps' growth.
   */
  private estimateMemory(instances: number): number {
    const rss = process.memoryUsage.rss();
    const up = this.runners.reduce((sum, r) => sum + (r instanceof TransformRunner ? r.replicas : 0), 0);
    // What an added replica costs: the growth so far over the instances of the stages that grow
    // only. A light fixed stage (a VAD, a source-side helper) must not dilute it.
    const scalable = this.runners.reduce(
      (sum, r) => sum + (r instanceof TransformRunner && this.budgetStages.get(r.node.id)?.scalable ? r.replicas : 0),
      0,
    );
    const perInstance = Math.max(0, rss - this.rssAtStart) / Math.max(1, scalable || up);
    return Math.round(1.25 * (rss + Math.max(0, instances - up) * perInstance));
  }

  /** The start plan of the core budget: replicas and intra-op threads per transform, one log line. */
  private planBudget(): void {
    for (const runner of this.runners) {
      const node = runner.node;
      if (node.def.role !== 'transform') continue;
      const worker = node.def.thread === 'worker';
      const item = itemSpecOf(node.def);
      const replicable = worker && !item.stateful;
      this.budgetStages.set(node.id, {
        id: node.id,
        worker,
        replicable,
        evenCost: item.evenCost,
        scalable: replicable && this.useWorkers && node.settings.auto.replicas && this.options.replicas !== false,
        autoThreads: node.settings.auto.threads,
        replicas: node.settings.concurrency,
        intraOp: node.settings.threads.intraOp,
      });
    }
    for (const plan of startPlan(this.cores, this.mode, [...this.budgetStages.values()])) this.plans.set(plan.id, plan);
    for (const stage of this.budgetStages.values()) {
      const runner = this.transformRunner(stage.id);
      if (runner) runner.mayGrow = stage.scalable;
    }
    this.budgetLine = this.describeBudget();
  }

  private describeBudget(measured = false): string {
    return describePlan(
      this.cores,
      [...this.plans.values()].map((plan) => ({
        ...plan,
        scalable: this.budgetStages.get(plan.id)?.scalable,
        msPerItem: measured ? this.measuredMsPerItem(plan.id) : undefined,
      })),
    );
  }

  /** A stage's compute per item for the plan's line: not a first item's time so far. */
  private measuredMsPerItem(id: string): number | undefined {
    const cost = this.costOf(id);
    return cost.estimated ? undefined : cost.msPerItem;
  }

  /**
   * A stage's compute per item as the budget takes it: a remembered cost until the stage has
   * finished two items of its own (a first item runs cold), then what this run measured; for a
   * kind of even cost with no item done, how long its first item has been running (estimated).
   */
  private costOf(id: string): { msPerItem?: number; itemsDone: number; estimated?: boolean } {
    const runner = this.transformRunner(id)!;
    const remembered = this.remembered.get(id);
    if (remembered && runner.itemsDone < 2)
      return { msPerItem: remembered.msPerItem, itemsDone: Number.POSITIVE_INFINITY };
    if (runner.itemsDone === 0 && this.budgetStages.get(id)?.evenCost) {
      const running = runner.runningMs();
      if (running !== undefined && running >= ESTIMATE_AFTER_MS)
        return { msPerItem: running, itemsDone: 0, estimated: true };
    }
    return { msPerItem: runner.recentMsPerItem(), itemsDone: runner.itemsDone };
  }

  /**
   * While a growable stage of even cost has its first item running and none done, the plan is
   * decided again every few ms: no item may end for a while (the source is held at the queue's
   * bound until the first item ends), and the replicas should start while that item runs.
   */
  private watchFirstItems(): void {
    const even = this.growable()
      .filter((s) => s.evenCost)
      .map((s) => this.transformRunner(s.id)!);
    const waiting = () => even.filter((runner) => runner.itemsDone === 0 && !runner.drained);
    if (this.remembered.size > 0 || waiting().length === 0) return;
    this.firstItemsTimer = setInterval(() => {
      const runners = waiting();
      if (this.closed || this.failure || runners.length === 0) clearInterval(this.firstItemsTimer);
      else if (runners.some((runner) => runner.runningMs() !== undefined)) this.rebalance();
    }, FIRST_ITEMS_TICK_MS).unref();
  }

  /** The growable stages of this run: replicable, `concurrency: auto`, pipelined. */
  private growable(): BudgetStage[] {
    return [...this.budgetStages.values()].filter((s) => s.scalable);
  }

  /**
   * The key of a stage's cost in the cost memory: its engine key (kind, options, models, threads),
   * the chunking, the format of every input (sources' SourceInstance.format), and where it runs
   * (the cores, the machine, the versions: costContext).
   */
  private costKeyOf(id: string): string {
    const inputs = this.runners.flatMap((r) => (r instanceof SourceRunner ? [[r.node.id, r.format ?? null]] : []));
    this.measuredOn ??= costContext(this.cores);
    return costKey({ stage: this.engineKey(id), chunking: this.graph.chunking, inputs, ...this.measuredOn });
  }

  /** Takes the remembered costs when every growable stage has one (a partial plan would mislead). */
  private recallCosts(): boolean {
    const memory = this.options.costMemory;
    const growable = this.growable();
    if (!memory || growable.length === 0) return false;
    const costs = growable.map((s) => [s.id, memory.get(this.costKeyOf(s.id))] as const);
    if (costs.some(([, cost]) => cost === undefined)) return false;
    for (const [id, cost] of costs) this.remembered.set(id, cost!);
    return true;
  }

  /**
   * After a clean run: each growable stage's median compute per item over its last items and the
   * instances it ended with, for the next run of the same stages on the same inputs' format. A
   * stage with fewer than three items (the first runs cold) is not remembered. A write that fails
   * is skipped.
   */
  private async rememberCosts(): Promise<void> {
    const memory = this.options.costMemory;
    if (!memory) return;
    let changed = false;
    for (const stage of this.growable()) {
      const runner = this.transformRunner(stage.id)!;
      const msPerItem = runner.recentMsPerItem();
      if (runner.itemsDone < 3 || msPerItem === undefined) continue;
      memory.set(this.costKeyOf(stage.id), { msPerItem, replicas: this.plans.get(stage.id)!.replicas });
      changed = true;
    }
    if (changed) await memory.save();
  }

  /**
   * Items a stage has still to start: counted once its inputs have ended, else estimated from the
   * clip's length and its items' length so far — or, with `byChunking` before its first item (a
   * remembered cost starting replicas at once), from the clip's length in chunks.
   */
  private itemsLeft(runner: TransformRunner, byChunking = false): number | undefined {
    const known = runner.itemsLeftIfKnown;
    if (known !== undefined) return known;
    const { seconds, items } = runner.progress;
    const chunk = this.graph.chunking.seconds;
    if (byChunking && items === 0 && this.clipSeconds !== undefined && chunk > 0)
      return Math.ceil(this.clipSeconds / chunk);
    if (this.clipSeconds === undefined || items === 0 || seconds <= 0) return undefined;
    return Math.max(0, Math.ceil((this.clipSeconds - seconds) / (seconds / items)));
  }

  private transformRunner(id: string): TransformRunner | undefined {
    return this.transforms.get(id);
  }

  /**
   * After an item completes: the worker cores split again by each stage's measured compute per
   * item, and replicas started for the stages whose share grew (they join as soon as they are up).
   * `recalled`: at the run's start, on remembered costs (recallCosts).
   */
  private rebalance(recalled = false): void {
    if (this.closed || this.failure) return;
    const scalable = this.growable();
    if (scalable.length === 0) return;
    const costs = [...this.budgetStages.values()].map((stage) => {
      const runner = this.transformRunner(stage.id)!;
      const plan = this.plans.get(stage.id)!;
      return {
        id: stage.id,
        scalable: stage.scalable,
        replicas: plan.replicas,
        threadsPerReplica: plan.intraOp,
        ...this.costOf(stage.id),
        evenCost: stage.evenCost,
        starting: plan.replicas - runner.replicas,
        ended: runner.drained,
        itemsLeft: this.itemsLeft(runner, this.remembered.has(stage.id)),
        startMs: this.instanceStartMs.get(stage.id),
        backlog: runner.backlog,
      };
    });
    const decision = replicaTargets(this.cores, costs, workerCores(this.cores));
    if (!decision) return;
    const { targets, provisional } = decision;
    // Until this run has measured its stages, its memory estimate knows nothing of their chunks in
    // flight: a stage planned on remembered costs grows no further than the instances it had when
    // they were measured (whose memory that run checked).
    if (this.remembered.size > 0 && !this.estimatedMeasured)
      for (const [id, target] of targets) {
        const had = this.remembered.get(id)?.replicas;
        if (had !== undefined) targets.set(id, Math.min(target, Math.max(this.plans.get(id)!.replicas, had)));
      }
    let grew = false;
    // A replica holds its own session and items (large video chunks among them): none is added
    // past the memory the run may plan for, said once.
    let instances = [...this.plans.values()].reduce((sum, plan) => sum + plan.replicas, 0);
    for (const [id, target] of targets) {
      const plan = this.plans.get(id)!;
      const had = plan.replicas;
      for (let more = target - plan.replicas; more > 0; more--) {
        if (this.estimateMemory(instances + 1) > this.memoryCap) {
          if (!this.memoryCapSaid) {
            this.memoryCapSaid = true;
            this.options.onEvent?.({
              type: 'budget',
              line: `core budget: no more replicas of "${id}": memory would pass ${Math.round(MEMORY_SHARE * 100)} % of ${mib(this.memoryCap / MEMORY_SHARE)} MiB (${MEMORY_ENV} sets it)`,
            });
          }
          break;
        }
        instances++;
        plan.replicas++;
        this.addReplica(id);
        grew = true;
      }
      if (plan.replicas > had) this.transformRunner(id)!.expectHosts(plan.replicas);
    }
    // The first plan with every stage measured — by this run: remembered costs may be wrong — has
    // taken the spares it needs; the others would only hold memory.
    const done = scalable.map((s) => this.transformRunner(s.id)!.itemsDone);
    const measured = done.every((n) => n > 0);
    if (!provisional && measured) void this.releaseSpares();
    // A run that recalled costs, or grew while a first item ran (an instance's memory is not yet
    // what it will be at full size), takes its memory estimate again once every growable stage has
    // run two items of its own (its costs are then its own: costOf). Replicas grown that early are
    // said then without their memory, and again with it at that point.
    if (grew && (recalled || costs.some((c) => c.estimated))) this.grewOnMemory = true;
    const measuredNow =
      (this.remembered.size > 0 || this.grewOnMemory) && !this.estimatedMeasured && done.every((n) => n >= 2);
    if (measuredNow) this.estimatedMeasured = true;
    if (!grew && this.memoryEstimate > 0 && !measuredNow) return;
    this.memoryEstimate = Math.max(this.memoryEstimate, this.estimateMemory(instances));
    if (!grew && !(measuredNow && this.grewOnMemory)) return;
    this.budgetLine = this.describeBudget(true);
    const line =
      grew && recalled
        ? `core budget, remembered: ${this.budgetLine}`
        : `core budget, measured: ${this.budgetLine}; memory ≤ ${mib(this.memoryEstimate)} MiB`;
    this.options.onEvent?.({ type: 'budget', line });
  }

  /** As many spare workers as the plan may add to the first instances, when replicas may grow. */
  private startSpares(): void {
    const scalable = this.growable();
    if (scalable.length === 0) return;
    const first = [...this.budgetStages.values()]
      .filter((s) => s.worker)
      .reduce((sum, s) => sum + this.plans.get(s.id)!.replicas, 0);
    // They boot on the cores the first instances leave idle; with none idle they would only slow
    // the start. Each stage's share is rounded up from a fraction of a core: the plan may pass the
    // worker cores by one instance, below 4 cores by one per scalable stage but the first
    // (replicaTargets).
    const idle = workerCores(this.cores) - first;
    const overshoot = workerCores(this.cores) < this.cores ? 1 : scalable.length - 1;
    // Workers the engine keeps warm for these stages take the spares' place.
    const warm = scalable.reduce((sum, s) => sum + (this.options.engine?.idleCount(this.engineKey(s.id)) ?? 0), 0);
    const count = Math.max(0, (idle > 0 ? idle + overshoot : 0) - warm);
    // What a worker of each will import: its createIn, else its definition's module.
    const kinds = scalable
      .map((s) => {
        const def = this.transformRunner(s.id)?.node.def as TransformDefinition | undefined;
        return def?.createIn?.url ?? def?.module;
      })
      .filter((url): url is string => url !== undefined);
    this.spares = Array.from({ length: count }, () => spawnStageWorker([...new Set(kinds)]));
  }

  private async releaseSpares(): Promise<void> {
    await Promise.all(this.spares.splice(0).map(endStageWorker));
  }

  /**
   * A stage's step reports (a denoising loop): each a `step` run event, and each step a span on the
   * stage's steps track, from the report before it (report 0 opens a loop).
   */
  private stepReporter(id: string): NonNullable<HostSpec['progress']> {
    let since: number | undefined;
    return (done, total, of) => {
      const now = performance.now();
      if (done > 0 && since !== undefined)
        this.trace.span(`${id} steps`, `step ${done}/${total}${of ? ` (${of})` : ''}`, since, now, { step: done, of });
      since = now;
      this.options.onEvent?.({ type: 'step', stage: id, done, total, ...(of && { of }) });
    };
  }

  private addReplica(id: string): void {
    const runner = this.transformRunner(id)!;
    const first = this.hostSpecs.get(id)!;
    // A replica says what the first instance said (its provider, its model): those lines once.
    const spec: HostSpec = {
      ...first,
      log: (line, level) => void (this.logged.has(`${id}\n${line}`) || first.log(line, level)),
    };
    const { warm, recycle } = this.engineHandoff(id);
    const added = createWorkerHost(spec, warm() ?? this.spares.pop(), recycle).then(
      async (host) => {
        if (this.closed || this.failure) return void (await host.dispose());
        runner.addHost(host);
      },
      (err: unknown) => {
        // A replica that cannot start (memory, a session that fails twice) costs speed, not the run;
        // its stage's queues no longer hold a chunk for it.
        const plan = this.plans.get(id)!;
        plan.replicas--;
        runner.expectHosts(plan.replicas);
        spec.log(`could not add a replica: ${err instanceof Error ? err.message : String(err)}`, 'warning');
      },
    );
    const tracked = added.finally(() => this.growing.delete(tracked));
    this.growing.add(tracked);
  }

  /** Creates every instance at once (workers start in parallel); one failure undoes them all. */
  private async createHosts(): Promise<void> {
    const useWorkers = this.useWorkers;
    this.startSpares();
    // The GPU thread and its device start alongside the stage workers, not on the first session.
    const models = [...this.graph.nodes.values()].filter((n) => Object.keys(n.def.models ?? {}).length > 0);
    if (models.some((n) => n.settings.provider.includes('webgpu')))
      void import('../inference/gpu/gpu-thread.ts').then((gpu) => gpu.prestartGpuThread());
    // Workers and sessions start while the inputs are still checked; sources and sinks wait for them.
    let inputsRejected = false;
    const inputsBound = Promise.resolve(this.options.inputs ?? {}).then(
      (inputs) => {
        this.inputs = inputs;
      },
      (err: unknown) => {
        inputsRejected = true;
        this.startAbort.abort();
        this.fail(err); // the input's own error (exit 2), not a stage's
        throw err;
      },
    );
    const starting = this.runners.map((runner) =>
      this.createHostsOf(runner, useWorkers, inputsBound).catch((err) => {
        throw stageError(this.graph.name, runner.node.id, undefined, err);
      }),
    );
    const results = await Promise.allSettled(starting);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) this.fail(failed.reason);
    // What the stages said while starting is shown once the inputs are known to be good.
    const held = this.heldLogs ?? [];
    this.heldLogs = undefined;
    if (!inputsRejected) for (const event of held) this.options.onEvent?.(event);
  }

  private async createHostsOf(runner: Runner, useWorkers: boolean, inputsBound: Promise<void>): Promise<void> {
    const node = runner.node;
    const def = node.def;
    // Sources read the inputs; sinks make the output folder, which a bad input must not leave behind.
    if (def.role !== 'transform') await inputsBound;
    const log = (line: string, level?: LogLevel) => {
      this.logged.add(`${node.id}\n${line}`);
      const event: RunEvent = { type: 'log', stage: node.id, line, ...(level === 'warning' && { level }) };
      if (this.heldLogs) this.heldLogs.push(event);
      else this.options.onEvent?.(event);
    };
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
      context: { ...context, settings: this.instanceSettings(node) },
      log,
      progress: this.stepReporter(node.id),
      outputRoom: () => runner.awaitRoom(),
      shared: (packet) => (this.env.fanout.get(packet) ?? 1) > 1,
      sharedOutputs: useWorkers ? postedMoreThanOnce(this.graph, node.id) : [],
      startAbort: this.startAbort.signal,
    };
    this.hostSpecs.set(node.id, spec);
    const concurrency = this.plans.get(node.id)!.replicas;
    const inWorker = useWorkers && def.thread === 'worker';
    const { warmOrNew, recycle } = this.engineHandoff(node.id);
    const startedAt = performance.now();
    const engine = this.options.engine;
    const budget = this.budgetStages.get(node.id);
    // A batch's samples in flight share one instance of a stateless stage that has one instance.
    const shared = engine?.sharing && inWorker && budget?.replicable && !budget.scalable && concurrency === 1;
    const created = await Promise.allSettled(
      Array.from({ length: concurrency }, () =>
        shared
          ? engine.lease(this.engineKey(node.id), spec)
          : inWorker
            ? createWorkerHost(spec, warmOrNew(), recycle)
            : createInProcessHost(spec),
      ),
    );
    // Attach what was created, so that close() disposes it even when a sibling failed.
    runner.attach(created.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : [])));
    const failed = created.find((c) => c.status === 'rejected');
    if (failed) throw failed.reason;
    this.instanceStartMs.set(node.id, performance.now() - startedAt);
  }

  /** A transform's settings as its instances get them: the intra-op threads are the budget's. */
  private instanceSettings(node: GraphNode): GraphNode['settings'] {
    const intraOp = this.plans.get(node.id)!.intraOp;
    return { ...node.settings, threads: { ...node.settings.threads, intraOp } };
  }

  /** The engine's key for a transform's workers (see StageEngine.keyOf); its threads are fixed at start. */
  private engineKey(id: string): string {
    let key = this.engineKeys.get(id);
    if (key === undefined) {
      const node = this.graph.nodes.get(id)!;
      key =
        node.def.role === 'transform'
          ? StageEngine.keyOf({
              def: node.def,
              options: node.options,
              context: { ...this.hostContext(node), settings: this.instanceSettings(node) },
            })
          : id;
      this.engineKeys.set(id, key);
    }
    return key;
  }

  /**
   * How a transform's worker instances come from the engine and go back to it: a warm worker or
   * none (`warm`), a warm or new one (`warmOrNew`), and the hand-back. Without an engine: nothing
   * warm, new workers, no hand-back.
   */
  private engineHandoff(id: string): {
    warm: () => StageWorker | undefined;
    warmOrNew: () => StageWorker | undefined;
    recycle: ((worker: StageWorker) => void) | undefined;
  } {
    const engine = this.options.engine;
    if (!engine) return { warm: () => undefined, warmOrNew: () => undefined, recycle: undefined };
    const key = this.engineKey(id);
    return {
      warm: () => engine.take(key),
      warmOrNew: () => engine.workerFor(key),
      recycle: (worker) => engine.give(key, worker),
    };
  }

  private result(): RunResult {
    const files: Record<string, readonly string[]> = {};
    for (const runner of this.runners) {
      if (Object.keys(runner.node.def.outputs).length === 0)
        files[runner.node.binding ?? runner.node.id] = runner.files();
    }
    const wallMs = performance.now() - this.started;
    const stages = this.runners.map((runner) => {
      const plan = this.plans.get(runner.node.id);
      const replicas = runner instanceof TransformRunner ? runner.replicas : 1;
      return runner.metrics.snapshot({ replicas, intraOp: plan?.intraOp ?? 1 }, wallMs - this.startupMs);
    });
    return {
      files,
      metrics: {
        pipeline: this.graph.name,
        mode: this.mode,
        wallMs: round(wallMs),
        mediaSeconds: Math.max(0, ...this.runners.map((r) => (r instanceof SinkRunner ? r.mediaSeconds : 0))),
        startupMs: round(this.startupMs),
        peakRssBytes: this.peakRss,
        processPeakRssBytes: process.resourceUsage().maxRSS * 1024,
        stages,
        cores: this.cores,
        budget: this.budgetLine,
        memoryEstimateBytes: this.memoryEstimate,
        ...runBound(stages, {
          cores: this.cores,
          startupMs: this.startupMs,
          wallMs,
          media: new Set(this.runners.filter((r) => r.node.role !== 'transform').map((r) => r.node.id)),
        }),
        ...gpuShare(stages, wallMs - this.startupMs),
      },
      trace: this.trace.list(),
    };
  }
}

/** The GPU thread's busy share of the run after start-up; absent when no stage ran on it. */
function gpuShare(stages: readonly StageMetrics[], activeMs: number): Pick<RunMetrics, 'gpuBusy'> {
  const gpuMs = stages.reduce((sum, stage) => sum + (stage.gpu?.ms ?? 0), 0);
  if (!stages.some((stage) => stage.gpu)) return {};
  return { gpuBusy: activeMs > 0 ? Math.round(Math.min(1, gpuMs / activeMs) * 1000) / 1000 : 0 };
}

function withoutListenerLimit(controller: AbortController): AbortController {
  setMaxListeners(0, controller.signal);
  return controller;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
