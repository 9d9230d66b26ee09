/**
 * The core budget: how a run spends the machine's cores across its stages. Pure functions; the
 * run asks them at start (intra-op threads, first replicas) and again as items complete (replicas
 * for the stages whose measured compute holds the others back).
 *
 * Why replicas and not intra-op threads for most stages: their time is JavaScript (pitch tracking,
 * resampling, features) and small ONNX ops that intra-op threads do not spread; a second instance
 * on a second chunk always does. Stages that carry state from chunk to chunk cannot have replicas,
 * so they get intra-op threads instead — decided at creation, since a session's thread count is
 * fixed when it is made.
 */

import type { ExecutionMode } from './flow-control.ts';

/** One transform stage as the budget sees it. */
export interface BudgetStage {
  id: string;
  /** Runs on its own worker thread(s) (it blocks a thread while it computes). */
  worker: boolean;
  /** Could run several chunks at once: stateless and on workers (whatever this run's mode). */
  replicable: boolean;
  /** Replicas may be added in this run: replicable, `concurrency: auto`, pipelined. */
  scalable: boolean;
  /** Its kind's items cost alike from the first on (ItemSpec.evenCost). */
  evenCost?: boolean;
  /** Intra-op threads are the budget's to choose (`threads: auto`). */
  autoThreads: boolean;
  /** Instances it starts with (explicit `concurrency: N`, else 1). */
  replicas: number;
  /** Intra-op threads set in YAML (used when not autoThreads). */
  intraOp: number;
}

export interface StagePlan {
  id: string;
  replicas: number;
  intraOp: number;
}

/**
 * Cores the worker stages may keep busy: one is left to the main thread (sources, sinks, the
 * scheduler and the ffmpeg processes it feeds) once there are enough to spare one.
 */
export function workerCores(cores: number): number {
  return cores >= 4 ? cores - 1 : cores;
}

/**
 * Instances of one stateless stage that a batch's samples in flight may share (SharedHost): one
 * for every two worker cores, so that a slow stage keeps up with the samples while a two-core
 * machine holds one of each.
 */
export function sharedInstancesFor(cores: number): number {
  return Math.max(1, Math.floor(workerCores(cores) / 2));
}

/** Cores per sample when a batch picks its own `--jobs`. */
const CORES_PER_BATCH_JOB = 3;

/**
 * Samples a batch renders at once with `--jobs auto`: one per 3 cores, and 2 at least. Within one
 * short clip few stages have work at the same time, so more clips keep more cores busy; samples in
 * flight share the instances of the stateless stages (SharedHost) and add no replicas
 * (RunOptions.replicas), so each one more costs its stateful stages and its chunks, not a set of
 * workers. Measured with `scripts/bench/batch-throughput.mjs` (24 talking-head samples of 5–15 s,
 * against a loop of `reel run`): on 16 cores 2, 3, 4, 5, 6, 8 at once ran 2.9×, 3.7×, 4.0–4.4×,
 * 4.8×, 4.4×, 4.5× as fast, peaking at 1.0, 1.0, 1.3, 1.4, 1.7, 2.0× the loop's RSS; on 2 busy
 * cores 2 at once ran 2.1× at 1.3× (one at a time: 1.6–1.9× at 1.35–1.6×).
 */
export function batchJobs(cores: number): number {
  return Math.max(2, Math.floor(cores / CORES_PER_BATCH_JOB));
}

/**
 * The plan a run starts with. A stage that can be replicated starts with one thread per instance;
 * one that cannot gets an even share of the worker cores as intra-op threads. The threads do not
 * depend on the mode, so a sequential run computes exactly what a pipelined one does (intra-op
 * thread counts may change float sums in the last bits); sequential mode has one instance each.
 */
export function startPlan(cores: number, mode: ExecutionMode, stages: readonly BudgetStage[]): StagePlan[] {
  const busy = stages.filter((s) => s.worker).length;
  const share = Math.max(1, Math.floor(workerCores(cores) / Math.max(1, busy)));
  return stages.map((stage) => {
    const replicas = mode === 'sequential' ? 1 : stage.replicas;
    if (!stage.autoThreads) return { id: stage.id, replicas, intraOp: stage.intraOp };
    const intraOp = stage.replicable || !stage.worker ? 1 : share;
    return { id: stage.id, replicas, intraOp };
  });
}

/** What the run has measured of one stage so far. */
export interface StageCost {
  id: string;
  scalable: boolean;
  /** Instances now (started or starting). */
  replicas: number;
  /** Threads one instance keeps busy while it computes (its intra-op threads). */
  threadsPerReplica: number;
  /** Compute of one item on one instance, ms (a recent median); undefined before its first item. */
  msPerItem?: number;
  /** Items it has finished so far (msPerItem is their recent median); undefined: not counted. */
  itemsDone?: number;
  /**
   * msPerItem is not a measure but how long its first item has been running (a kind of even cost,
   * ItemSpec.evenCost, with no item done): a lower bound of that first, cold item's time, which
   * holds the decision provisional.
   */
  estimated?: boolean;
  /** Its items cost alike from the first one on (ItemSpec.evenCost): one item done is a measure. */
  evenCost?: boolean;
  /** The stage has had its last item: it will never need more instances. */
  ended: boolean;
  /** Items it has still to start, estimated from the clip's length; undefined when unknown. */
  itemsLeft?: number;
  /** What starting one instance cost, ms (its worker, its session). */
  startMs?: number;
  /** Chunks waiting at its inputs now, ready for an instance that is free. */
  backlog?: number;
  /** Instances asked for that have not joined yet: each will take one of the chunks waiting. */
  starting?: number;
}

/**
 * Whether a replica could still pay for itself: the work left per instance now must outlast its
 * start twice over (a replica started for the last chunks only adds start-up to the run).
 */
function worthGrowing(cost: StageCost): boolean {
  if (cost.itemsLeft === undefined || cost.startMs === undefined) return true;
  return (cost.itemsLeft * (cost.msPerItem ?? 0)) / cost.replicas > 2 * cost.startMs;
}

/**
 * Instances a stage may add before every stage is measured: one per chunk waiting, if worth it —
 * and not on its first item alone, unless its kind says its items cost alike (evenCost). A first
 * item runs cold (in a new worker it took 1.5–2× the later ones on the GPU host) and may be unlike
 * the rest: talking-head's face detector takes 140–380 ms over its first frame and 1 ms a chunk
 * after it, and grew 3–4 replicas on that first measure. A kind of even cost grows while its first
 * item runs, once the chunks waiting would outlast a start at the item's time so far.
 */
function provisionalGrowth(cost: StageCost): number {
  const trusted = cost.estimated || (cost.itemsDone ?? 2) >= (cost.evenCost ? 1 : 2);
  if (!trusted) return 0;
  // The chunks waiting that no instance already on its way will take.
  const waiting = Math.max(0, (cost.backlog ?? 0) - (cost.starting ?? 0));
  if (cost.startMs === undefined || waiting * (cost.msPerItem ?? 0) < cost.startMs) return 0;
  return waiting;
}

/** Replicas per scalable stage measured so far; provisional while some are not measured yet. */
export interface ReplicaDecision {
  targets: Map<string, number>;
  provisional: boolean;
}

/**
 * Replicas each scalable stage should have now. The worker cores left by the stages that cannot be
 * replicated are shared by measured cost: each stage's share of the work per chunk gets that share
 * of the cores (every stage processes every chunk, so the slowest per chunk ÷ its instances bounds
 * the throughput). Instances are handed out one at a time to the stage with the most work per
 * instance, up to this decision's total — so estimates that move from item to item cannot ratchet
 * the total past the cores. Only grows — an instance costs a session to start and is kept — never
 * beyond `maxReplicas` nor the items left, and not at all once the work left would not outlast a new
 * instance's start. Before every scalable stage has finished an item, the ones measured are
 * decided provisionally: a stage not measured yet is assumed as costly as the costliest measured
 * one, and a measured stage grows only by the chunks already waiting at its inputs, and only when
 * their work outlasts an instance's start — a slow stage amid fast ones does, a cheap one upstream
 * (whose queue a fast source keeps full) does not. A stage whose first item is still running
 * counts as measured at its time so far when its kind's items cost alike (StageCost.estimated), and
 * the decision stays provisional. Undefined before any stage is measured.
 */
export function replicaTargets(
  cores: number,
  costs: readonly StageCost[],
  maxReplicas: number,
): ReplicaDecision | undefined {
  const live = costs.filter((c) => !c.ended);
  const scalable = live.filter((c) => c.scalable);
  const measured = scalable.filter((c) => c.msPerItem !== undefined);
  if (measured.length === 0) return undefined;
  const provisional = measured.length < scalable.length || measured.some((c) => c.estimated);
  // Not measured yet: assumed as costly as the costliest stage measured.
  const assumed = Math.max(...measured.map((c) => (c.msPerItem ?? 0) * c.threadsPerReplica));
  const loadOf = (c: StageCost) => (c.msPerItem === undefined ? assumed : c.msPerItem * c.threadsPerReplica);
  const total = scalable.reduce((sum, c) => sum + loadOf(c), 0);
  if (total <= 0) return undefined;
  // A stage that cannot be replicated keeps the threads it was given (a generating stage such as a
  // TTS may not finish an item until the clip ends: it needs no measure to be counted).
  const reserved = live.filter((c) => !c.scalable).reduce((sum, c) => sum + c.replicas * c.threadsPerReplica, 0);
  const available = Math.max(scalable.length, workerCores(cores) - reserved);

  const wanted = new Map<string, number>();
  for (const cost of measured) {
    let want = Math.max(1, Math.round((loadOf(cost) / total) * available + 0.25));
    if (!worthGrowing(cost)) want = cost.replicas;
    else if (cost.itemsLeft !== undefined) want = Math.min(want, cost.replicas + cost.itemsLeft);
    // Before every stage is measured, a stage grows only by the chunks already waiting for it, and
    // only when they would keep a new instance busy for longer than it takes to start one.
    if (provisional) want = Math.min(want, cost.replicas + provisionalGrowth(cost));
    wanted.set(cost.id, Math.min(maxReplicas, want));
  }
  const targets = new Map(measured.map((c) => [c.id, c.replicas]));
  // Each stage's want is rounded up from a fraction of a core, so together they may pass the
  // worker cores; the total is held to this decision's wants, not to any earlier one's. Where a
  // core is left to the main thread, also to the worker cores and one more: a light stage rarely
  // keeps its own core busy, and one more converter fills what it leaves (voice-convert 600 s,
  // GPU host: held to the worker cores, 4 cores took 10.6–10.8 s against 7.8–9.1 s and 8 cores
  // 4.8–5.1 s against 4.5–4.8 s), but no more than one: on 16 cores, 17 instances beside the main
  // thread and ffmpeg doubled the converter's time per chunk (444–461 ms against 220–224 ms with
  // 15) for no faster a run and 9 % more memory (talking-head: 15–25 % more). On 2 and 3 cores one
  // more per scalable stage but the first: a second converter fills the light stage's idle core.
  const unmeasured = scalable.filter((c) => c.msPerItem === undefined).reduce((sum, c) => sum + c.replicas, 0);
  const wants = unmeasured + [...wanted.values()].reduce((sum, n) => sum + n, 0);
  const cap = workerCores(cores) < cores ? Math.min(wants, available + 1) : wants;
  let used = scalable.reduce((sum, c) => sum + c.replicas, 0);
  for (; used < cap; used++) {
    let pick: StageCost | undefined;
    for (const cost of measured) {
      const now = targets.get(cost.id)!;
      if (now >= wanted.get(cost.id)!) continue;
      if (!pick || loadOf(cost) / now > loadOf(pick) / targets.get(pick.id)!) pick = cost;
    }
    if (!pick) break;
    targets.set(pick.id, targets.get(pick.id)! + 1);
  }
  return { targets, provisional };
}

/** The plan in one line, for the run's log and its metrics. */
export function describePlan(
  cores: number,
  plans: readonly (StagePlan & { msPerItem?: number; scalable?: boolean })[],
): string {
  const parts = plans.map((p) => {
    const cost = p.msPerItem !== undefined ? `, ${Math.round(p.msPerItem)} ms/chunk` : '';
    const grows = p.scalable && p.msPerItem === undefined ? '+' : '';
    const threads = p.intraOp === 1 ? '1 thread' : `${p.intraOp} threads`;
    return `${p.id} ×${p.replicas}${grows} (${threads}${cost})`;
  });
  return `${cores} cores: ${parts.join(', ')}`;
}
