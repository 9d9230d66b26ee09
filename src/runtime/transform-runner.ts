/**
 * Runs one transform node. Its joined input chunks go into an ItemWindow, which hands out items
 * once their neighbours are there; each item goes to a free host when the flow control allows, and
 * the items are composed with RxJS — `mergeMap` over the hosts' item Observables, one per host at a
 * time — with outputs released in input order whichever host finished first. An item is done
 * exactly when its Observable completes, so metrics and trace spans are compute, not waiting.
 */
import { catchError, endWith, map, mergeMap, Subject, throwError, type Subscription } from 'rxjs';
import type { PortPacket } from '../core/stage.ts';
import type { ChunkInfo } from '../core/types.ts';
import type { GraphNode } from '../graph/types.ts';
import { StageMetricsRecorder } from '../metrics/stage-metrics.ts';
import type { GpuSpan } from '../inference/gpu/protocol.ts';
import type { ComputeSegment } from './compute-clock.ts';
import type { InputQueue } from './input-queue.ts';
import { ItemWindow, type ReadyItem } from './item-window.ts';
import { stageError, type OutputEdges, type Runner, type RunnerEnv } from './runner.ts';
import type { HostEvent, TransformHost } from './transform-host.ts';

interface ItemState {
  chunk: ChunkInfo;
  host: number;
  compute: number;
  timer?: NodeJS.Timeout;
  done: boolean;
  /** Outputs waiting for earlier items to be released. */
  held: PortPacket[];
  /** When the item last emitted (a generator's wait for room is measured from there). */
  parkedSince?: number;
  /** When it was handed to its host (performance.now()). */
  startedAt: number;
}

interface Dispatch {
  seq: number;
  host: number;
  ready: ReadyItem;
}

type Tagged = { seq: number; event: HostEvent | { type: 'done' } };

/** The trace track of the GPU thread's calls (every stage's, one at a time). */
export const GPU_TRACK = 'GPU';

export class TransformRunner implements Runner {
  readonly metrics: StageMetricsRecorder;
  private hosts: TransformHost[] = [];
  private readonly busyHosts = new Set<number>();
  private readonly items = new Map<number, ItemState>();
  private readonly window: ItemWindow;
  private readonly dispatch = new Subject<Dispatch>();
  private subscription: Subscription | undefined;
  private nextSeq = 0;
  private startedUntil = 0;
  /** The input ports an item cannot go without. */
  private readonly requiredInputs: readonly InputQueue[];
  /** Replicas may be added while it runs: its trace tracks are numbered from the first item on. */
  mayGrow = false;
  private nextRelease = 0;
  private done = false;
  /** It has said that an input went on after another had ended (once per run). */
  private warnedLeftovers = false;
  private readonly roomWaiters: (() => void)[] = [];
  /** Hosts whose item timed out: they are terminated rather than asked to dispose. */
  private readonly hung = new Set<number>();

  constructor(
    readonly node: GraphNode,
    private readonly inputs: readonly InputQueue[],
    private readonly outputs: OutputEdges,
    private readonly env: RunnerEnv,
  ) {
    this.metrics = new StageMetricsRecorder(node.id, node.kind);
    this.window = ItemWindow.forKind(node.def);
    this.requiredInputs = inputs.filter((q) => !q.optional);
    this.baseCapacities = inputs.map((q) => q.capacity);
  }

  /** Its input queues' capacities as the graph set them (the floor expectHosts keeps). */
  private readonly baseCapacities: readonly number[];

  get finished(): boolean {
    return this.done;
  }

  /** Instances now: the ones it started with plus replicas added while it ran. */
  get replicas(): number {
    return this.hosts.length;
  }

  /** Items finished so far (by every instance). */
  get itemsDone(): number {
    return this.metrics.itemsDone;
  }

  /** Compute of one item on one instance, ms: the median of the last few; undefined before the first. */
  recentMsPerItem(): number | undefined {
    return this.metrics.recentLatency();
  }

  /** How long its oldest item still running has been, ms; undefined when none is running. */
  runningMs(now = performance.now()): number | undefined {
    let oldest: number | undefined;
    for (const item of this.items.values()) if (!item.done) oldest = Math.min(oldest ?? item.startedAt, item.startedAt);
    return oldest === undefined ? undefined : now - oldest;
  }

  /** Its input has ended and every item is done: it will not work again in this run. */
  get drained(): boolean {
    return this.done || (this.window.ended && this.window.pending === 0 && this.items.size === 0);
  }

  /** How far into the clip its started items reach, seconds, and how many it has started. */
  get progress(): { seconds: number; items: number } {
    return { seconds: this.startedUntil, items: this.nextSeq };
  }

  /** Chunks waiting at its inputs (the fullest required port) and in its window, ready to start. */
  get backlog(): number {
    const required = this.requiredInputs;
    return this.window.pending + (required.length ? Math.min(...required.map((q) => q.length)) : 0);
  }

  /**
   * Items it has still to start, once every input has ended (all of them are queued or in its
   * window then); undefined while more may come.
   */
  get itemsLeftIfKnown(): number | undefined {
    const required = this.requiredInputs;
    if (required.length === 0 || required.some((q) => !q.ended)) return undefined;
    return this.backlog;
  }

  /** One more instance, working from the next scheduling pass (`concurrency: auto`). */
  addHost(host: TransformHost): void {
    this.hosts.push(host);
    for (const queue of this.inputs) queue.capacity = Math.max(queue.capacity, this.hosts.length);
    this.env.schedule();
  }

  /**
   * Instances it will have once the replicas asked for have started: each needs a chunk waiting
   * when it frees up, so the producers may run that far ahead now. Raised when the replicas are
   * asked for, not when they join, the chunks are decoded and encoded while they start: on
   * 16 cores voice-convert's converters otherwise joined 150–470 ms after they were asked for,
   * each waiting on the content encoder for its first chunk. Lowered again when a replica asked
   * for could not start — never below the queue's own capacity nor the instances it has.
   */
  expectHosts(count: number): void {
    const wanted = Math.max(count, this.hosts.length);
    this.inputs.forEach((queue, i) => {
      queue.capacity = Math.max(this.baseCapacities[i], wanted);
    });
    this.env.schedule();
  }

  attach(hosts: TransformHost[]): void {
    this.hosts = hosts;
    // A dispatch happens only when a host is free, so the hosts bound the items in flight.
    this.subscription = this.dispatch
      .pipe(
        mergeMap(
          ({ seq, host, ready }) =>
            this.hosts[host].run(ready).pipe(
              map((event): Tagged => ({ seq, event })),
              endWith<Tagged>({ seq, event: { type: 'done' } }),
              catchError((err) =>
                throwError(() => stageError(this.env.pipeline, this.node.id, this.items.get(seq)?.chunk, err)),
              ),
            ),
          Number.POSITIVE_INFINITY,
        ),
      )
      .subscribe({
        next: ({ seq, event }) => this.guard(seq, () => this.onEvent(seq, event)),
        error: (err) => this.env.fail(err),
      });
  }

  busy(): boolean {
    // A generator parked for room is not working; one whose room was just granted is, at once.
    return this.busyHosts.size > this.roomWaiters.length;
  }

  /** Resolves once the downstream queues have room for one more packet (checked on every pass). */
  awaitRoom(): Promise<void> {
    const room = new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    // The next pass answers it (at once if there is room; sequential mode waits its turn).
    this.env.schedule();
    return room;
  }

  tryStart(allowed: boolean): boolean {
    if (this.done) return this.discardLeftovers();
    if (this.outputs.unwanted) {
      // Nothing it makes would be taken (its consumers have finished): a generator parked for
      // room goes on into the void until its item completes, then the node finishes.
      const parked = this.roomWaiters.splice(0);
      for (const resolve of parked) resolve();
      if (this.items.size > 0) return parked.length > 0;
      this.finish();
      return true;
    }
    let moved = false;
    if (allowed && this.roomWaiters.length > 0 && this.outputs.hasRoomForPacket()) {
      for (const resolve of this.roomWaiters.splice(0)) resolve();
      moved = true;
    }
    const host = this.freeHost();
    const ready = host >= 0;
    const room = this.outputs.hasRoom(this.items.size, this.hosts.length);
    for (const queue of this.inputs) this.metrics.queueDepth(queue.length);
    moved = this.window.takeFrom(this.inputs, allowed && ready && room) || moved;
    if (!ready) this.metrics.setState('working');
    else if (!allowed || !room) this.metrics.setState(this.window.pending > 0 ? 'blocked' : 'starved');
    if (!allowed || !ready || !room) return moved;
    const next = this.window.take();
    if (!next) {
      this.metrics.setState(this.window.pending > 0 ? 'neighbours' : 'starved');
      if (!this.window.ended || this.items.size > 0) return moved;
      this.finish();
      return true; // closing the outputs lets the consumers end in this same pass
    }
    this.metrics.setState('working');
    this.start(host, next);
    return true;
  }

  private start(host: number, ready: ReadyItem): void {
    const seq = this.nextSeq++;
    this.startedUntil = Math.max(this.startedUntil, ready.item.chunk.end);
    const item: ItemState = {
      chunk: ready.item.chunk,
      host,
      compute: 0,
      done: false,
      held: [],
      startedAt: performance.now(),
    };
    if (this.env.stageTimeoutMs !== undefined) {
      const ms = this.env.stageTimeoutMs;
      item.timer = setTimeout(() => {
        this.hung.add(host);
        this.env.fail(
          stageError(
            this.env.pipeline,
            this.node.id,
            item.chunk,
            new Error(`no result after ${ms} ms (stage timeout)`),
          ),
        );
      }, ms);
    }
    this.items.set(seq, item);
    this.busyHosts.add(host);
    this.dispatch.next({ seq, host, ready });
  }

  private onEvent(seq: number, event: Tagged['event']): void {
    const item = this.items.get(seq);
    if (!item) return;
    if (event.type === 'compute') this.onCompute(item, event.segment);
    else if (event.type === 'gpu') this.onGpu(item, event.span);
    else if (event.type === 'packet') {
      if (seq === this.nextRelease) this.outputs.deliver(event.out);
      else item.held.push(event.out);
    } else this.onDone(item);
  }

  private onCompute(item: ItemState, segment: ComputeSegment): void {
    const ms = segment.end - segment.start;
    if (item.parkedSince !== undefined) this.metrics.blocked(Math.max(0, segment.start - item.parkedSince));
    item.parkedSince = segment.end;
    item.compute += ms;
    this.metrics.compute(ms);
    const track = this.hosts.length > 1 || this.mayGrow ? `${this.node.id}#${item.host}` : this.node.id;
    const generated = segment.emitted !== undefined && segment.emitted !== item.chunk.index;
    const name = generated ? `${this.node.id} → #${segment.emitted}` : `${this.node.id} #${item.chunk.index}`;
    this.env.trace.span(track, name, segment.start, segment.end, {
      chunk: item.chunk.index,
      clip: item.chunk.clipId,
      ...(generated ? { emitted: segment.emitted } : {}),
    });
  }

  /** A model call of the item on the GPU thread: the stage's GPU figures, and a span on the GPU track. */
  private onGpu(item: ItemState, span: GpuSpan): void {
    this.metrics.gpu(span.end - span.start, span.queuedMs, span.batch);
    this.env.trace.span(GPU_TRACK, `${this.node.id} #${item.chunk.index}`, span.start, span.end, {
      chunk: item.chunk.index,
      clip: item.chunk.clipId,
      queuedMs: Math.round(span.queuedMs * 1000) / 1000,
      batch: span.batch,
    });
  }

  private onDone(item: ItemState): void {
    clearTimeout(item.timer);
    item.done = true;
    this.busyHosts.delete(item.host);
    this.metrics.itemDone(item.compute);
    this.env.emit({ type: 'chunk', stage: this.node.id, chunk: item.chunk, ms: item.compute });
    this.release();
  }

  /** Items are released in input order: the oldest unfinished item's outputs stream straight out. */
  private release(): void {
    for (;;) {
      const item = this.items.get(this.nextRelease);
      if (!item) return;
      for (const out of item.held.splice(0)) this.outputs.deliver(out);
      if (!item.done) return;
      this.items.delete(this.nextRelease);
      this.nextRelease++;
    }
  }

  private finish(): void {
    this.done = true;
    this.metrics.setState('idle');
    this.outputs.close();
    // What is still to come on its inputs is not taken: a producer feeding only it may stop.
    for (const queue of this.inputs) queue.unwanted = true;
  }

  /**
   * After the node finished (a required input ended), chunks still queued on the other ports can
   * never be joined; they are dropped so that their producers are not blocked for ever.
   */
  private discardLeftovers(): boolean {
    let dropped = 0;
    const going: string[] = [];
    for (const queue of this.inputs) {
      // A looped input is meant to run past the end; another one going on is worth a warning.
      if ((queue.length > 0 || queue.droppedLate > 0) && !this.node.def.inputs[queue.port]?.loop)
        going.push(queue.port);
      queue.droppedLate = 0;
      while (queue.length > 0) {
        queue.shift();
        dropped++;
      }
    }
    if (going.length > 0 && !this.warnedLeftovers) {
      this.warnedLeftovers = true;
      const ended = this.inputs.filter((q) => q.ended && !q.optional && !going.includes(q.port)).map((q) => q.port);
      this.env.emit({
        type: 'log',
        stage: this.node.id,
        line: `input ${going.join(', ')} went on after input ${ended.join(', ')} had ended; the rest of it is not taken`,
        level: 'warning',
      });
    }
    return dropped > 0;
  }

  /** A host with no item in progress, or -1. */
  private freeHost(): number {
    for (let i = 0; i < this.hosts.length; i++) if (!this.busyHosts.has(i)) return i;
    return -1;
  }

  private guard(seq: number, action: () => void): void {
    try {
      action();
    } catch (err) {
      this.env.fail(stageError(this.env.pipeline, this.node.id, this.items.get(seq)?.chunk, err));
    }
    this.env.schedule();
  }

  async commit(): Promise<void> {}

  files(): readonly string[] {
    return [];
  }

  async dispose(): Promise<void> {
    this.subscription?.unsubscribe();
    for (const item of this.items.values()) clearTimeout(item.timer);
    await Promise.allSettled(this.hosts.map((host, i) => host.dispose(this.hung.has(i))));
  }
}
