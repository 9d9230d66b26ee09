/**
 * Builds a node's items from its joined input chunks: item k holds chunk k, up to `before`
 * earlier and `after` later chunks of the same clip, and the clip's whole inputs. Item k is ready
 * once chunk k + after has arrived, or once nothing more can come for its clip (its last chunk
 * arrived, another clip began, or the input ended). The window holds at most before + after + 1
 * chunks per clip, so memory stays bounded whatever the clip length.
 */
import type { ChunkPackets, ItemData } from '../core/item.ts';
import { itemSpecOf, type StageDefinition } from '../core/stage.ts';
import type { Packet } from '../core/types.ts';
import { takeJoined, type InputQueue } from './input-queue.ts';

export interface ReadyItem {
  item: ItemData;
  /** Packets no later item will use (a worker may take their buffers instead of copies). */
  lastUse: ReadonlySet<Packet>;
}

interface ClipWindow {
  clipId: string;
  chunks: ChunkPackets[];
  /** Index into `chunks` of the next item to hand out. */
  next: number;
  /** No more chunks will come for this clip. */
  closed: boolean;
  whole: Record<string, Packet>;
}

export class ItemWindow {
  private readonly clips: ClipWindow[] = [];
  private inputEnded = false;

  /** The window of a node of kind `def`: its neighbours, its whole ports. */
  static forKind(def: StageDefinition): ItemWindow {
    const whole = Object.entries(def.inputs)
      .filter(([, p]) => p.whole)
      .map(([port]) => port);
    const looped = Object.entries(def.inputs)
      .filter(([, p]) => p.loop)
      .map(([port]) => port);
    return new ItemWindow(
      itemSpecOf(def).neighbours,
      new Set(whole),
      Object.keys(def.inputs).length > whole.length,
      new Set(looped),
    );
  }

  constructor(
    private readonly neighbours: { before: number; after: number },
    /** Ports the kind takes whole: their packets go to every item of the clip. */
    private readonly wholePorts: ReadonlySet<string>,
    /** The kind has inputs taken chunk by chunk (else: one item per clip, of its whole inputs). */
    private readonly chunkedInputs: boolean,
    /**
     * Ports the kind takes looped: their chunks are on the grid but not the item's time range,
     * which comes from the other inputs (the speech a face is looped under) where there are any.
     */
    private readonly loopPorts: ReadonlySet<string> = new Set(),
  ) {}

  /** Chunks taken in and not yet handed out as items (the runtime's own lookahead). */
  get pending(): number {
    return this.clips.reduce((n, c) => n + c.chunks.length - c.next, 0);
  }

  /**
   * Whether the window takes another chunk. It always takes the `after` chunks an item waits for
   * (its lookahead); the item's own chunk only when the node can start it (`toStart`), so that a
   * busy node leaves its input on the edge and back-pressure reaches the producer.
   */
  wantsInput(toStart: boolean): boolean {
    const open = this.clips.at(-1);
    const pending = open && !open.closed ? open.chunks.length - open.next : 0;
    return pending < this.neighbours.after + (toStart ? 1 : 0);
  }

  /** Takes the packets of one joined chunk (whole ports included where they arrived with it). */
  push(packets: readonly { port: string; packet: Packet }[]): void {
    const first = packets[0].packet.chunk;
    let clip = this.clips.at(-1);
    if (!clip || clip.clipId !== first.clipId) {
      if (clip) clip.closed = true;
      clip = { clipId: first.clipId, chunks: [], next: 0, closed: false, whole: {} };
      this.clips.push(clip);
    }
    const ports: Record<string, Packet> = {};
    for (const { port, packet } of packets) {
      if (this.wholePorts.has(port)) clip.whole[port] = packet;
      else ports[port] = packet;
    }
    const timed = Object.entries(ports).find(([port]) => !this.loopPorts.has(port));
    const chunk = (timed?.[1] ?? Object.values(ports)[0])?.chunk;
    if (chunk) clip.chunks.push({ chunk, ports });
    if (!this.chunkedInputs) {
      // A kind whose inputs are all whole has one item per clip, on the whole packet's chunk.
      if (clip.chunks.length === 0) clip.chunks.push({ chunk: first, ports: {} });
      clip.closed = true;
    } else if (chunk?.last) clip.closed = true;
  }

  /** The input ended: every clip is complete. */
  end(): void {
    this.inputEnded = true;
    for (const clip of this.clips) clip.closed = true;
  }

  /** Nothing more will arrive. */
  get ended(): boolean {
    return this.inputEnded;
  }

  /** Moves joined chunks from a node's input queues into the window while it wants them; true if any moved. */
  takeFrom(inputs: readonly InputQueue[], toStart: boolean): boolean {
    let moved = false;
    while (!this.inputEnded && this.wantsInput(toStart)) {
      const next = takeJoined(inputs);
      if (next.kind === 'wait') break;
      if (next.kind === 'ended') this.end();
      else this.push(next.packets);
      moved = true;
    }
    return moved;
  }

  /** The next item, if its neighbours are there. */
  take(): ReadyItem | undefined {
    const clip = this.clips[0];
    if (!clip) return undefined;
    const k = clip.next;
    if (k >= clip.chunks.length) {
      if (clip.closed) this.clips.shift();
      return clip.closed ? this.take() : undefined;
    }
    const { before, after } = this.neighbours;
    if (!clip.closed && clip.chunks.length - 1 - k < after) return undefined;
    const cur = clip.chunks[k];
    const item: ItemData = {
      ...cur,
      before: clip.chunks.slice(Math.max(0, k - before), k),
      after: clip.chunks.slice(k + 1, k + 1 + after),
      whole: { ...clip.whole },
    };
    clip.next++;
    // Chunk k - before is used for the last time; drop what no later item reaches.
    const lastUse = new Set<Packet>();
    const oldest = clip.next - before;
    if (oldest > 0) {
      const retired = clip.chunks.splice(0, oldest);
      clip.next -= oldest;
      for (const c of retired) for (const p of Object.values(c.ports)) lastUse.add(p);
    }
    const finished = clip.closed && clip.next >= clip.chunks.length;
    if (finished) {
      for (const c of clip.chunks) for (const p of Object.values(c.ports)) lastUse.add(p);
      for (const p of Object.values(clip.whole)) lastUse.add(p);
      this.clips.shift();
    }
    return { item, lastUse };
  }
}
