/**
 * Runs a stage instance's RxJS operator one work item at a time and tells when each item is done.
 *
 * The runtime feeds an operator only as fast as the graph can take its outputs, so it must know
 * when the operator has finished with an item. The contract (see `StageInstance.operator`): an
 * item holding chunk k of a clip is done once the stage has emitted, on every declared output
 * port, a packet of that clip with chunk index ≥ k; a sink (no output ports) acknowledges chunk k
 * by emitting any packet with index ≥ k (conventionally the input itself); completion of the
 * operator finishes every item. Output packets are attributed to the oldest unfinished item.
 * Used in-process and inside stage workers alike.
 *
 * An emitted packet is handed over: its payload buffer may be moved to another thread (see
 * transfer.ts), so a stage must not keep using a buffer it emitted — a stitcher that keeps the
 * tail of chunk k for the next crossfade keeps a copy (`slice`), not a view (`subarray`).
 */
import { Subject, type Subscription } from 'rxjs';
import type { PortPacket, StageInstance } from '../core/stage.ts';

export interface WorkItem {
  /** Position of the item in the node's input order; outputs are released in this order. */
  seq: number;
  packets: PortPacket[];
}

export interface DriverEvents {
  packet(seq: number, out: PortPacket): void;
  done(seq: number): void;
  complete(): void;
  /** `seq` is the item being worked on when the failure happened, if any. */
  error(err: unknown, seq: number | undefined): void;
}

interface Pending {
  seq: number;
  clipId: string;
  index: number;
  seenPorts: Set<string>;
}

export class OperatorDriver {
  private readonly input = new Subject<PortPacket>();
  private readonly pending: Pending[] = [];
  private readonly subscription: Subscription;
  private lastSeq: number | undefined;
  private finished = false;

  constructor(
    instance: StageInstance,
    private readonly outputPorts: readonly string[],
    private readonly events: DriverEvents,
  ) {
    this.subscription = instance.operator(this.input.asObservable()).subscribe({
      next: (out) => this.onOutput(out),
      error: (err) => this.fail(err),
      complete: () => {
        if (this.finished) return;
        this.finished = true;
        for (const item of this.pending.splice(0)) this.events.done(item.seq);
        this.events.complete();
      },
    });
  }

  /** Items currently inside the operator. */
  get inflight(): number {
    return this.pending.length;
  }

  submit(item: WorkItem): void {
    // An operator that completed early (e.g. `take(n)`) takes nothing more: the item is done.
    if (this.finished) return this.events.done(item.seq);
    const first = item.packets[0].packet.chunk;
    this.pending.push({ seq: item.seq, clipId: first.clipId, index: first.index, seenPorts: new Set() });
    this.lastSeq = item.seq;
    for (const packet of item.packets) {
      if (this.finished) return;
      this.input.next(packet);
    }
  }

  /** No more items: the operator may flush what it holds and complete. */
  end(): void {
    this.input.complete();
  }

  stop(): void {
    this.finished = true;
    this.subscription.unsubscribe();
  }

  private onOutput(out: PortPacket): void {
    const head = this.pending[0];
    this.events.packet(head?.seq ?? this.lastSeq ?? 0, out);
    const { clipId, index } = out.packet.chunk;
    for (const item of this.pending) {
      if (item.clipId === clipId && item.index <= index) item.seenPorts.add(out.port);
    }
    while (this.pending.length > 0 && this.isDone(this.pending[0])) {
      this.events.done(this.pending.shift()!.seq);
    }
  }

  private isDone(item: Pending): boolean {
    if (this.outputPorts.length === 0) return item.seenPorts.size > 0;
    return this.outputPorts.every((port) => item.seenPorts.has(port));
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.events.error(err, this.pending[0]?.seq);
  }
}
