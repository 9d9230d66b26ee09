/**
 * Per-stage figures of one run: how much a stage worked, how long it starved for input, how long
 * it was held back by a full downstream edge, and how deep its input edges got. Collected by the
 * runtime while it schedules; the CLI writes them with `--metrics FILE.json`.
 */

export interface StageMetrics {
  stage: string;
  kind: string;
  /** Chunks (work items) the stage finished. */
  packets: number;
  /**
   * Compute: the sum over items of the time a stage instance worked on them, ms — from the start
   * of `process` to its completion, less the time a generating stage waited for room downstream.
   * With several replicas it can exceed the wall time; with one it cannot.
   */
  busyMs: number;
  /** Time the stage had a free instance but no input to give it, ms. */
  waitInputMs: number;
  /** Of the time with a free instance, the time its next chunk waited for its neighbours to arrive, ms. */
  waitNeighboursMs: number;
  /**
   * Time the stage was held back by a full downstream edge, ms: with an item ready and a free
   * instance, or (a generating stage) between two chunks of one item.
   */
  blockedOutputMs: number;
  /** Most packets ever waiting on one of its input edges. */
  maxQueueDepth: number;
  /** Per-item compute, ms. */
  latencyP50Ms: number;
  latencyP95Ms: number;
  /** Instances the stage ran on at the end of the run (replicas grow under `concurrency: auto`). */
  replicas: number;
  /** ONNX Runtime intra-op threads of each instance. */
  intraOp: number;
  /** busyMs ÷ (replicas × the run's time after start-up): 1 = every instance worked all the time. */
  utilisation: number;
  /**
   * Model calls run on the GPU thread (a `webgpu` session); absent when the stage made none.
   * `ms`: the calls' time on the GPU thread (a batched call counted once per batch, shared among
   * its requests); `queuedMs`: time its calls waited for the GPU thread behind other calls;
   * `batchSizes`: how many calls ran in a batch of each size (`{ "1": 40, "4": 3 }`).
   */
  gpu?: { calls: number; ms: number; queuedMs: number; batchSizes: Record<string, number> };
}

export interface RunMetrics {
  pipeline: string;
  mode: 'pipelined' | 'sequential';
  wallMs: number;
  /** Media the run produced, seconds: the furthest point of the clip any output reached. */
  mediaSeconds: number;
  /** Of wallMs, the time to start every stage (workers, sessions, warm-up) before the first chunk. */
  startupMs?: number;
  /** Resident set size at its highest while the run went on (sampled every 50 ms, so a lower bound), bytes. */
  peakRssBytes: number;
  /**
   * The process's resident set at its highest since it started (getrusage), bytes: exact, where the
   * sample can miss a short spike — the run's own peak when the process ran only it (`reel run`,
   * each run of `reel bench`).
   */
  processPeakRssBytes: number;
  stages: StageMetrics[];
  /** Cores the run's budget split across stages (`--cores`, else the machine's). */
  cores: number;
  /** How the core budget was spent, one line (printed at start; final after calibration). */
  budget: string;
  /**
   * The most memory the run should reach with the replicas the budget decided on, bytes: estimated
   * once every stage has run an item, printed with the measured plan; 0 when nothing was measured.
   */
  memoryEstimateBytes: number;
  /** The stage with the largest compute ÷ replicas: what bounds the run. */
  bottleneck: string;
  /**
   * The fastest this run could have been, ms: start-up plus max(the bottleneck's compute ÷ its
   * replicas, the total compute ÷ cores).
   */
  boundMs: number;
  /** boundMs ÷ wallMs: 1 = the run took no longer than its bound. */
  efficiency: number;
  /**
   * Share of the run after start-up that the GPU thread spent running model calls (0..1); absent
   * when no stage ran a model there. Device memory is not reported: onnxruntime-node gives no
   * reading of it.
   */
  gpuBusy?: number;
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export type StageState = 'idle' | 'starved' | 'neighbours' | 'blocked' | 'working';

/** Accumulates one stage's figures; time spent in each scheduling state is charged on change. */
export class StageMetricsRecorder {
  private readonly latencies: number[] = [];
  private busyMs = 0;
  private waitInputMs = 0;
  private waitNeighboursMs = 0;
  private blockedOutputMs = 0;
  private maxQueueDepth = 0;
  private gpuCalls: NonNullable<StageMetrics['gpu']> | undefined;
  private state: StageState = 'idle';
  private stateSince = performance.now();

  constructor(
    readonly stage: string,
    readonly kind: string,
  ) {}

  /** Items done so far. */
  get itemsDone(): number {
    return this.latencies.length;
  }

  /** Compute per item, ms: the median of the last five items; undefined before the first. */
  recentLatency(): number | undefined {
    if (this.latencies.length === 0) return undefined;
    return percentile(this.latencies.slice(-5), 50);
  }

  /** An item is done after `ms` of compute. */
  itemDone(ms: number): void {
    this.latencies.push(ms);
  }

  /** A stretch of compute on some item. */
  compute(ms: number): void {
    this.busyMs += ms;
  }

  /** A generating stage waited this long for room between two chunks. */
  blocked(ms: number): void {
    this.blockedOutputMs += ms;
  }

  /** A model call on the GPU thread: `ms` running (in a batch of `batch`), after `queuedMs` waiting. */
  gpu(ms: number, queuedMs: number, batch: number): void {
    this.gpuCalls ??= { calls: 0, ms: 0, queuedMs: 0, batchSizes: {} };
    const g = this.gpuCalls;
    g.calls++;
    g.ms += ms / batch;
    g.queuedMs += queuedMs;
    g.batchSizes[batch] = (g.batchSizes[batch] ?? 0) + 1;
  }

  queueDepth(depth: number): void {
    if (depth > this.maxQueueDepth) this.maxQueueDepth = depth;
  }

  setState(next: StageState, now = performance.now()): void {
    if (next === this.state) return;
    const spent = now - this.stateSince;
    if (this.state === 'starved') this.waitInputMs += spent;
    else if (this.state === 'neighbours') this.waitNeighboursMs += spent;
    else if (this.state === 'blocked') this.blockedOutputMs += spent;
    this.state = next;
    this.stateSince = now;
  }

  /**
   * The figures so far. `instances`: replicas and intra-op threads at the end; `activeMs`: the
   * run's time after start-up, against which utilisation is measured.
   */
  snapshot(instances: { replicas: number; intraOp: number } = { replicas: 1, intraOp: 1 }, activeMs = 0): StageMetrics {
    this.setState('idle');
    return {
      stage: this.stage,
      kind: this.kind,
      packets: this.latencies.length,
      busyMs: round(this.busyMs),
      waitInputMs: round(this.waitInputMs),
      waitNeighboursMs: round(this.waitNeighboursMs),
      blockedOutputMs: round(this.blockedOutputMs),
      maxQueueDepth: this.maxQueueDepth,
      latencyP50Ms: round(percentile(this.latencies, 50)),
      latencyP95Ms: round(percentile(this.latencies, 95)),
      replicas: instances.replicas,
      intraOp: instances.intraOp,
      utilisation: activeMs > 0 ? Math.round((this.busyMs / (instances.replicas * activeMs)) * 1000) / 1000 : 0,
      ...(this.gpuCalls
        ? {
            gpu: {
              ...this.gpuCalls,
              ms: round(this.gpuCalls.ms),
              queuedMs: round(this.gpuCalls.queuedMs),
              batchSizes: { ...this.gpuCalls.batchSizes },
            },
          }
        : {}),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
