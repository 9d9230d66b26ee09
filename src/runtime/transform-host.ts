/**
 * Where a transform instance runs: in the main thread (sequential mode, and kinds that do not
 * block a thread) or on a worker thread of its own (`thread: 'worker'` in pipelined mode). The
 * runner sees only this interface: run one item, get its packets and compute segments, the
 * Observable completes when the item is done. A host runs one item at a time.
 */
import { Observable } from 'rxjs';
import { StageItem, type ItemData } from '../core/item.ts';
import type {
  LogLevel,
  PortPacket,
  StageCreateContext,
  TransformDefinition,
  TransformInstance,
} from '../core/stage.ts';
import type { Packet } from '../core/types.ts';
import type { GpuSpan } from '../inference/gpu/protocol.ts';
import { ComputeClock, type ComputeSegment } from './compute-clock.ts';
import type { ReadyItem } from './item-window.ts';
import { creatorOf } from './runner.ts';

export type HostEvent =
  | { type: 'packet'; out: PortPacket }
  | { type: 'compute'; segment: ComputeSegment }
  /** A model call the item made on the GPU thread (times on this thread's clock). */
  | { type: 'gpu'; span: GpuSpan };

export interface TransformHost {
  run(ready: ReadyItem): Observable<HostEvent>;
  /** True once the host can take no more items (its worker thread ended); absent: never. */
  readonly gone?: boolean;
  /** Drops what the host keeps of `clip` (its whole inputs): that clip's run is over. */
  forget?(clip: string): void;
  /**
   * Stop now and release everything the instance holds (sessions, child processes).
   * `hung`: the instance stopped answering (stage timeout); do not wait for it to clean up.
   */
  dispose(hung?: boolean): Promise<void>;
}

/** The serialisable part of a create context; the host adds `signal`, `log` and `outputRoom`. */
export type HostContext = Omit<StageCreateContext, 'signal' | 'log' | 'outputRoom' | 'progress'>;

export interface HostSpec {
  def: TransformDefinition;
  options: Readonly<Record<string, unknown>>;
  context: HostContext;
  log: (line: string, level?: LogLevel) => void;
  /** Where the instance's `progress` reports go. */
  progress?: (done: number, total: number, of?: string) => void;
  /** Resolves when the node's downstream queues have room for one more packet. */
  outputRoom: () => Promise<void>;
  /** Whether a packet is also held by another consumer (so it must be copied, not moved). */
  shared: (packet: Packet) => boolean;
  /** Output ports that a worker instance makes in shared memory (WorkerInit.sharedOutputs). */
  sharedOutputs?: readonly string[];
  /** Aborted when the run no longer wants the instance while it starts (a bad input was found). */
  startAbort?: AbortSignal;
}

/**
 * Drives one instance item by item, timing its compute: `outputRoom` as the instance sees it
 * parks the clock while it waits. Used in the main thread and inside stage workers alike.
 */
export class InstanceDriver {
  private current: { clock: ComputeClock } | undefined;
  private parkedNow = false;

  constructor(private readonly outputRoom: () => Promise<void>) {}

  get parked(): boolean {
    return this.parkedNow;
  }

  /** The `outputRoom` to give the instance at creation. */
  readonly room = async (): Promise<void> => {
    const clock = this.current?.clock;
    clock?.stop();
    this.parkedNow = true;
    try {
      await this.outputRoom();
    } finally {
      this.parkedNow = false;
      clock?.start();
    }
  };

  /** Runs `item`; `segment` gets each stretch of compute; completes when the item is done. */
  run(instance: TransformInstance, item: ItemData, segment: (s: ComputeSegment) => void): Observable<PortPacket> {
    return new Observable<PortPacket>((subscriber) => {
      const clock = new ComputeClock(segment);
      this.current = { clock };
      clock.start();
      const inner = instance.process(new StageItem(item)).subscribe({
        next: (out) => {
          clock.markEmitted(out.packet.chunk.index);
          subscriber.next(out);
        },
        error: (err) => {
          clock.stop();
          subscriber.error(err);
        },
        complete: () => {
          clock.stop();
          subscriber.complete();
        },
      });
      return () => {
        inner.unsubscribe();
        if (this.current?.clock === clock) this.current = undefined;
      };
    });
  }
}

export function createInstance(
  def: TransformDefinition,
  options: unknown,
  ctx: StageCreateContext,
): Promise<TransformInstance> {
  return creatorOf(def)(options as never, ctx);
}
