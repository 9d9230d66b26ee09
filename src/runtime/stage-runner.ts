/**
 * Runs one non-source node: joins its input queues into work items, hands each to a free
 * instance (`concurrency` of them) when the downstream edges have room, and releases outputs in
 * input order whichever instance finished first.
 */
import type { PortPacket } from '../core/stage.ts';
import type { ChunkInfo } from '../core/types.ts';
import type { GraphNode } from '../graph/types.ts';
import { StageMetricsRecorder } from '../metrics/stage-metrics.ts';
import { takeJoined, type InputQueue } from './input-queue.ts';
import { stageError, type OutputEdges, type Runner, type RunnerEnv } from './runner.ts';
import type { HostEvents, StageHost } from './stage-host.ts';

interface ItemState {
  chunk: ChunkInfo;
  host: number;
  started: number;
  timer?: NodeJS.Timeout;
  done: boolean;
  /** Outputs waiting for earlier items to be released. */
  held: PortPacket[];
}

export class StageRunner implements Runner {
  readonly metrics: StageMetricsRecorder;
  private hosts: StageHost[] = [];
  private readonly items = new Map<number, ItemState>();
  private nextSeq = 0;
  private nextRelease = 0;
  private inputEnded = false;
  private hostsComplete = 0;
  private done = false;
  private readonly lookahead: number;
  /** When this stage last emitted (for stages that keep generating after their item is done). */
  private lastOutputAt: number | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  private lastGeneratedIndex: number | undefined;
  /** Hosts whose chunk timed out: they are terminated rather than asked to dispose. */
  private readonly hung = new Set<number>();

  constructor(
    readonly node: GraphNode,
    private readonly inputs: readonly InputQueue[],
    private readonly outputs: OutputEdges,
    private readonly env: RunnerEnv,
  ) {
    this.metrics = new StageMetricsRecorder(node.id, node.kind);
    this.lookahead = node.def.lookahead ?? 0;
  }

  get finished(): boolean {
    return this.done;
  }

  /** Callbacks for instance number `host`; the hosts are created with them, then attached. */
  eventsFor(host: number): HostEvents {
    return {
      packet: (seq, out) => this.guard(seq, () => this.onPacket(seq, out)),
      done: (seq) => this.guard(seq, () => this.onDone(seq)),
      complete: () => this.guard(undefined, () => this.onHostComplete()),
      error: (err, seq) => this.env.fail(stageError(this.env.pipeline, this.node.id, this.chunkOf(seq, host), err)),
    };
  }

  attach(hosts: StageHost[]): void {
    this.hosts = hosts;
  }

  busy(): boolean {
    return this.hosts.some((host) => host.inflight > this.lookahead);
  }

  /**
   * Resolves once the downstream queues have room for one more packet (checked on every
   * scheduling pass): how a stage that generates many chunks from one item is held back.
   */
  awaitRoom(): Promise<void> {
    if (this.outputs.hasRoom(0, 1, 0)) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  tryStart(allowed: boolean): boolean {
    if (this.roomWaiters.length > 0 && this.outputs.hasRoom(0, 1, 0)) {
      for (const resolve of this.roomWaiters.splice(0)) resolve();
    }
    for (const queue of this.inputs) this.metrics.queueDepth(queue.length);
    if (this.inputEnded) return this.discardUnjoinable();
    if (this.inputs.every((queue) => queue.ended && queue.length === 0)) {
      // Ending the input needs no free host: a stage may acknowledge its last item only once its
      // input has completed (a generator that had nothing to say).
      this.inputEnded = true;
      for (const h of this.hosts) h.end();
      return true;
    }
    const host = this.freeHost();
    const inflight = this.items.size;
    const room = this.outputs.hasRoom(inflight, this.node.settings.concurrency, this.lookahead);
    const hasInput = this.inputs.every((queue) => queue.length > 0 || queue.ended);
    this.metrics.setState(host < 0 ? 'working' : !hasInput ? 'starved' : !room ? 'blocked' : 'working');
    if (!allowed || host < 0 || !room) return false;
    const next = takeJoined(this.inputs);
    if (next.kind === 'wait') return false;
    if (next.kind === 'ended') {
      this.inputEnded = true;
      for (const h of this.hosts) h.end();
      return true;
    }
    const seq = this.nextSeq++;
    const item: ItemState = { chunk: next.packets[0].packet.chunk, host, started: performance.now(), done: false, held: [] };
    if (this.env.stageTimeoutMs !== undefined) {
      const ms = this.env.stageTimeoutMs;
      item.timer = setTimeout(() => {
        this.hung.add(host);
        this.env.fail(stageError(this.env.pipeline, this.node.id, item.chunk, new Error(`no result after ${ms} ms (stage timeout)`)));
      }, ms);
    }
    this.items.set(seq, item);
    this.hosts[host].submit({ seq, packets: next.packets });
    return true;
  }

  /**
   * After a required input ended, chunks still arriving on the other ports can never be joined;
   * they are dropped so that their producers are not blocked for ever on a full queue.
   */
  private discardUnjoinable(): boolean {
    let dropped = 0;
    for (const queue of this.inputs) {
      while (queue.length > 0) {
        queue.shift();
        dropped++;
      }
    }
    if (dropped > 0) {
      const ended = this.inputs.filter((q) => q.ended && !q.optional).map((q) => q.port);
      const why = this.done ? 'the stage had already completed' : `input ${ended.join(', ')} had ended`;
      this.env.emit({ type: 'log', stage: this.node.id, line: `dropped ${dropped} chunk(s): ${why}` });
    }
    return dropped > 0;
  }

  async commit(): Promise<void> {
    await Promise.all(this.hosts.map((host) => host.commit()));
  }

  files(): readonly string[] {
    return this.hosts.flatMap((host) => host.files());
  }

  async dispose(): Promise<void> {
    for (const item of this.items.values()) clearTimeout(item.timer);
    await Promise.allSettled(this.hosts.map((host, i) => host.dispose(this.hung.has(i))));
  }

  /** The host with the fewest chunks inside that can take one more, or -1. */
  private freeHost(): number {
    let best = -1;
    for (let i = 0; i < this.hosts.length; i++) {
      const inflight = this.hosts[i].inflight;
      if (inflight <= this.lookahead && (best < 0 || inflight < this.hosts[best].inflight)) best = i;
    }
    return best;
  }

  private chunkOf(seq: number | undefined, host: number): ChunkInfo | undefined {
    if (seq !== undefined) return this.items.get(seq)?.chunk;
    for (const item of this.items.values()) if (item.host === host) return item.chunk;
    return undefined;
  }

  private guard(seq: number | undefined, action: () => void): void {
    try {
      action();
    } catch (err) {
      this.env.fail(stageError(this.env.pipeline, this.node.id, seq === undefined ? undefined : this.items.get(seq)?.chunk, err));
    }
    this.env.schedule();
  }

  private onPacket(seq: number, out: PortPacket): void {
    const item = this.items.get(seq);
    const now = performance.now();
    // A generating stage (a TTS: one script in, many chunks out) keeps emitting after its input
    // item is done; the time since its previous output is busy time on the chunk it just emitted.
    if (!item && this.lastOutputAt !== undefined) this.recordGenerated(out, this.lastOutputAt, now);
    this.lastOutputAt = now;
    if (!item || seq <= this.nextRelease) this.outputs.deliver(out);
    else item.held.push(out);
  }

  private recordGenerated(out: PortPacket, since: number, now: number): void {
    const { chunk } = out.packet;
    if (chunk.index === this.lastGeneratedIndex) return; // one span per chunk, not per port
    this.lastGeneratedIndex = chunk.index;
    this.metrics.chunkDone(now - since);
    this.env.trace.span(this.node.id, `${this.node.id} → #${chunk.index}`, since, now, { chunk: chunk.index, clip: chunk.clipId, generated: 1 });
  }

  private onDone(seq: number): void {
    const item = this.items.get(seq);
    if (!item) return;
    clearTimeout(item.timer);
    item.done = true;
    const now = performance.now();
    this.metrics.chunkDone(now - item.started);
    const track = this.node.settings.concurrency > 1 ? `${this.node.id}#${item.host}` : this.node.id;
    this.env.trace.span(track, `${this.node.id} #${item.chunk.index}`, item.started, now, { chunk: item.chunk.index, clip: item.chunk.clipId });
    this.env.emit({ type: 'chunk', stage: this.node.id, chunk: item.chunk, ms: now - item.started });
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

  private onHostComplete(): void {
    this.hostsComplete++;
    if (this.hostsComplete < this.hosts.length) return;
    // Items the operator finished by completing are done; release whatever is still held.
    for (const [seq, item] of this.items) if (!item.done) this.onDone(seq);
    this.release();
    this.done = true;
    // An operator may complete before its input does (e.g. `take(n)`): what still arrives is
    // dropped, so that upstream stages are not blocked for ever on a full queue.
    this.inputEnded = true;
    this.metrics.setState('idle');
    this.outputs.close();
  }
}
