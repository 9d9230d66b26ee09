/**
 * The bounded buffer at the head of one input port, and the fan-in join across a node's ports.
 *
 * Every producer emits its chunks in order, so the heads of a node's input queues line up by
 * chunk. The join takes the smallest chunk among the heads, but only once every port still open
 * has a head — otherwise a slower branch could still deliver a smaller chunk. A port whose
 * producer ended no longer holds the join back, so a branch that ends early never deadlocks it;
 * a slower branch only holds back the faster one, whose producer then stops on a full queue.
 */
import type { PortPacket } from '../core/stage.ts';
import type { ChunkInfo } from '../core/types.ts';
import { packetBytes } from './transfer.ts';

export class InputQueue {
  readonly items: PortPacket[] = [];
  /** The producer has completed: nothing more will arrive. */
  ended = false;
  /**
   * The consumer has finished and takes nothing more (its other inputs ended first, as a looped
   * face ends with the speech): packets for it are dropped, and a producer that feeds only such
   * queues stops.
   */
  unwanted = false;
  /** Packets that arrived once unwanted (dropped). */
  droppedLate = 0;
  bytes = 0;
  maxBytes = 0;

  constructor(
    readonly node: string,
    readonly port: string,
    /**
     * The consuming node's `queue:` setting (or what a join needs); raised to the consumer's
     * instances when replicas are added, so that each has a chunk to take when it is free.
     */
    public capacity: number,
    /** The port may go without packets (PortSpec.optional): the join feeds chunks without it. */
    readonly optional = false,
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(item: PortPacket): void {
    if (this.unwanted) {
      this.droppedLate++;
      return;
    }
    this.items.push(item);
    this.bytes += packetBytes(item.packet);
    if (this.bytes > this.maxBytes) this.maxBytes = this.bytes;
  }

  shift(): PortPacket {
    const item = this.items.shift()!;
    this.bytes -= packetBytes(item.packet);
    return item;
  }
}

function before(a: ChunkInfo, b: ChunkInfo): boolean {
  return a.clipId === b.clipId ? a.index < b.index : false;
}

function sameChunk(a: ChunkInfo, b: ChunkInfo): boolean {
  return a.clipId === b.clipId && a.index === b.index;
}

export type JoinResult = { kind: 'item'; packets: PortPacket[] } | { kind: 'wait' } | { kind: 'ended' };

/**
 * Takes the next work item (one packet per port holding the earliest chunk), if it can be known.
 * Once a required port has ended and drained, no further chunk can be complete: the node's input
 * has ended (whatever is left on other ports is for the caller to discard).
 */
export function takeJoined(queues: readonly InputQueue[]): JoinResult {
  let first: ChunkInfo | undefined;
  for (const queue of queues) {
    if (queue.length === 0) {
      if (!queue.ended) return { kind: 'wait' };
      if (!queue.optional) return { kind: 'ended' };
      continue;
    }
    const chunk = queue.items[0].packet.chunk;
    if (!first || before(chunk, first)) first = chunk;
  }
  if (!first) return { kind: 'ended' };
  const packets: PortPacket[] = [];
  for (const queue of queues) {
    if (queue.length > 0 && sameChunk(queue.items[0].packet.chunk, first)) packets.push(queue.shift());
  }
  return { kind: 'item', packets };
}
