/**
 * Stage workers kept warm from one run to the next. A batch renders all its samples on one
 * engine: a stage's worker thread, its ONNX Runtime and its sessions start once for the batch,
 * not once per sample. When a run ends cleanly, each worker's instance is disposed (a stateful
 * stage starts the next clip fresh) but the thread and its sessions are kept, under the key of
 * the stage they served; the next run's stage with the same key takes one instead of starting one.
 */
import { availableParallelism } from 'node:os';
import { canonicalJson } from '../core/canonical-json.ts';
import { sharedInstancesFor } from './core-budget.ts';
import { closedError, SharedHost } from './shared-host.ts';
import type { HostSpec, TransformHost } from './transform-host.ts';
import { createWorkerHost, endStageWorker, spawnStageWorker, type StageWorker } from './worker-host.ts';

export interface EngineStats {
  /** Worker threads started by runs on this engine. */
  started: number;
  /** Instances that were given a warm worker instead. */
  reused: number;
}

export class StageEngine {
  private readonly idle = new Map<string, StageWorker[]>();
  private closed = false;
  private readonly counts: EngineStats = { started: 0, reused: 0 };
  private readonly watched = new WeakSet<StageWorker>();
  private readonly shared = new Map<string, SharedHost>();
  private readonly maxIdle: number;
  /** Runs lease one instance of each stateless stage (see SharedHost) rather than start their own. */
  readonly sharing: boolean;
  private readonly sharedInstances: number;

  /**
   * @param options.maxIdle Warm workers kept at most; past it, the longest kept are ended. The pool
   *   holds only what runs gave back, so it stays within what the batch used at once (replicas
   *   included); this is a backstop. Ending replicas at the end of each run instead was measured
   *   worse: a talking-head batch peaked 25% higher (new threads allocate afresh while the freed
   *   memory is not returned to the system) and ran no faster. @defaultValue 64
   * @param options.share Runs at the same time share the instances of each stateless stage (a
   *   batch with several samples in flight). @defaultValue false
   * @param options.sharedInstances Instances of one shared stage at most (SharedHost). @defaultValue 1
   */
  constructor(options: { maxIdle?: number; share?: boolean; sharedInstances?: number } = {}) {
    this.maxIdle = options.maxIdle ?? 64;
    this.sharing = options.share ?? false;
    this.sharedInstances = Math.max(1, options.sharedInstances ?? 1);
  }

  /**
   * The engine of a batch (or a queue worker) rendering `jobs` samples at once on `cores`: with more
   * than one in flight, they share the instances of each stateless stage.
   */
  static forJobs(jobs: number, cores = availableParallelism()): StageEngine {
    return new StageEngine({ share: jobs > 1, sharedInstances: sharedInstancesFor(cores) });
  }

  /**
   * A host for a stateless stage of `key` that queues its items for the instances every run shares
   * (SharedHost); the first is started on a worker of this engine for `spec`, and they are kept
   * until close().
   */
  lease(key: string, spec: HostSpec): Promise<TransformHost> {
    if (this.closed) return Promise.reject(closedError());
    let host = this.shared.get(key);
    if (!host) {
      // Started from the engine, not the run: the instance outlives the run that asked first.
      host = new SharedHost((routed) => createWorkerHost(routed, this.workerFor(key)), this.sharedInstances);
      this.shared.set(key, host);
    } else this.counts.reused++;
    return host.lease(spec);
  }

  /** What a stage's instances have in common: two stages with the same key can share a worker. */
  static keyOf(spec: Pick<HostSpec, 'def' | 'options' | 'context'>): string {
    const { def, options, context } = spec;
    return canonicalJson({
      kind: def.kind,
      module: def.module,
      options,
      models: context.models,
      settings: context.settings,
    });
  }

  /** A warm worker for `key`, or undefined (workerFor starts one then). */
  take(key: string): StageWorker | undefined {
    const list = this.idle.get(key);
    const worker = list?.pop();
    if (list?.length === 0) this.idle.delete(key);
    if (worker) this.counts.reused++;
    return worker;
  }

  /** A worker to host a stage of `key`: a warm one, else a new thread. */
  workerFor(key: string, preload: readonly string[] = []): StageWorker {
    const warm = this.take(key);
    if (warm) return warm;
    this.counts.started++;
    return spawnStageWorker(preload);
  }

  /** Keeps `worker` (its instance disposed, its sessions open) for the next stage of `key`. */
  give(key: string, worker: StageWorker): void {
    if (this.closed) return void endStageWorker(worker);
    if (this.idleTotal() >= this.maxIdle) this.endLongestKept();
    const list = this.idle.get(key) ?? [];
    list.push(worker);
    this.idle.set(key, list);
    // A kept worker that dies (out of memory, a native crash) is dropped, not handed out. Watched
    // once per thread: a reaction per hand-back would pile up over a batch of many clips.
    if (this.watched.has(worker)) return;
    this.watched.add(worker);
    void worker.exited.then(() => this.forget(key, worker));
  }

  /** Warm workers waiting for a stage of `key`. */
  idleCount(key: string): number {
    return this.idle.get(key)?.length ?? 0;
  }

  get stats(): EngineStats {
    return { ...this.counts };
  }

  /** Ends every warm worker; workers given back later are ended at once. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle.values()].flat();
    this.idle.clear();
    const shared = [...this.shared.values()];
    this.shared.clear();
    await Promise.all([...all.map(endStageWorker), ...shared.map((host) => host.close())]);
  }

  private idleTotal(): number {
    let total = 0;
    for (const list of this.idle.values()) total += list.length;
    return total;
  }

  /** Ends one of the workers kept longest (the first of the oldest key still kept). */
  private endLongestKept(): void {
    const [key, list] = this.idle.entries().next().value ?? [];
    if (!key || !list) return;
    void endStageWorker(list.shift()!);
    if (list.length === 0) this.idle.delete(key);
  }

  private forget(key: string, worker: StageWorker): void {
    const list = this.idle.get(key);
    const at = list?.indexOf(worker) ?? -1;
    if (at >= 0) list!.splice(at, 1);
    if (list?.length === 0) this.idle.delete(key);
  }
}
