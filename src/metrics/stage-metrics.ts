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
  /** Sum over chunks of the time each spent inside a stage instance, ms. */
  busyMs: number;
  /** Time the stage had a free instance but no input to give it, ms. */
  waitInputMs: number;
  /** Time the stage had input and a free instance but a full downstream edge, ms. */
  blockedOutputMs: number;
  /** Most packets ever waiting on one of its input edges. */
  maxQueueDepth: number;
  /** Per-chunk time inside the stage, ms. */
  latencyP50Ms: number;
  latencyP95Ms: number;
}

export interface RunMetrics {
  pipeline: string;
  mode: 'pipelined' | 'sequential';
  wallMs: number;
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
}

/** Nearest-rank percentile; 0 for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export type StageState = 'idle' | 'starved' | 'blocked' | 'working';

/** Accumulates one stage's figures; time spent in each scheduling state is charged on change. */
export class StageMetricsRecorder {
  private readonly latencies: number[] = [];
  private busyMs = 0;
  private waitInputMs = 0;
  private blockedOutputMs = 0;
  private maxQueueDepth = 0;
  private state: StageState = 'idle';
  private stateSince = performance.now();

  constructor(
    readonly stage: string,
    readonly kind: string,
  ) {}

  chunkDone(ms: number): void {
    this.latencies.push(ms);
    this.busyMs += ms;
  }

  queueDepth(depth: number): void {
    if (depth > this.maxQueueDepth) this.maxQueueDepth = depth;
  }

  setState(next: StageState, now = performance.now()): void {
    if (next === this.state) return;
    const spent = now - this.stateSince;
    if (this.state === 'starved') this.waitInputMs += spent;
    else if (this.state === 'blocked') this.blockedOutputMs += spent;
    this.state = next;
    this.stateSince = now;
  }

  snapshot(): StageMetrics {
    this.setState('idle');
    return {
      stage: this.stage,
      kind: this.kind,
      packets: this.latencies.length,
      busyMs: round(this.busyMs),
      waitInputMs: round(this.waitInputMs),
      blockedOutputMs: round(this.blockedOutputMs),
      maxQueueDepth: this.maxQueueDepth,
      latencyP50Ms: round(percentile(this.latencies, 50)),
      latencyP95Ms: round(percentile(this.latencies, 95)),
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
