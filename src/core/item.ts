/**
 * What a transform or a sink works on: one item. The runtime builds it — the packets of one chunk
 * on every chunked input port, the neighbouring chunks the kind declared (`item.neighbours`), and
 * the inputs taken whole — so a stage never gathers or buffers packets itself.
 *
 * Packets are read through typed accessors: `item.audio('voice')` returns an AudioPacket or
 * throws an InputError that names the port, the chunk and what arrived instead. Messages say what
 * is wrong, never which stage: the runtime adds the stage, chunk and time range once.
 */
import { InputError } from './errors.ts';
import type { AudioPacket, ChunkInfo, Packet, TensorPacket, TextPacket, VideoPacket } from './types.ts';

/** The packets of one chunk, by input port. */
export interface ChunkPackets {
  chunk: ChunkInfo;
  ports: Readonly<Record<string, Packet>>;
}

/** An item as plain data (what crosses threads); `new StageItem(data)` gives the accessors. */
export interface ItemData extends ChunkPackets {
  /** Up to `neighbours.before` earlier chunks of the same clip, oldest first. */
  before: readonly ChunkPackets[];
  /** Up to `neighbours.after` later chunks of the same clip, nearest first. */
  after: readonly ChunkPackets[];
  /** Inputs taken whole (one packet each), by port. */
  whole: Readonly<Record<string, Packet>>;
}

type KindOf<P extends Packet> = P['kind'];

function describe(packet: Packet | undefined): string {
  if (!packet) return 'nothing';
  if (packet.kind === 'tensor') return `tensor:${packet.name} ${packet.tensor.dtype}[${packet.tensor.dims.join(', ')}]`;
  return packet.kind;
}

/** Typed reads of the packets of one chunk (or of the whole inputs). */
export class PortReader {
  constructor(
    readonly ports: Readonly<Record<string, Packet>>,
    /** How errors name this set of packets: `chunk 3`, `the whole inputs`. */
    private readonly where: string,
  ) {}

  /** Whether `port` has a packet here (an optional port may not). */
  has(port: string): boolean {
    return this.ports[port] !== undefined;
  }

  packet(port: string): Packet {
    const packet = this.ports[port];
    if (!packet) throw new InputError(`input "${port}" of ${this.where}: no packet arrived`);
    return packet;
  }

  audio(port: string): AudioPacket {
    return this.expect<AudioPacket>(port, 'audio');
  }

  video(port: string): VideoPacket {
    return this.expect<VideoPacket>(port, 'video');
  }

  text(port: string): TextPacket {
    return this.expect<TextPacket>(port, 'text');
  }

  /** A tensor packet; with `dtype`/`rank`, checked to have them. */
  tensor(port: string, expected: { dtype?: string; rank?: number } = {}): TensorPacket {
    const packet = this.expect<TensorPacket>(port, 'tensor');
    const { dtype, dims } = packet.tensor;
    if (
      (expected.dtype && dtype !== expected.dtype) ||
      (expected.rank !== undefined && dims.length !== expected.rank)
    ) {
      const want = `${expected.dtype ?? 'any'} tensor of rank ${expected.rank ?? 'any'}`;
      throw new InputError(`input "${port}" of ${this.where}: expected a ${want}, got ${describe(packet)}`);
    }
    return packet;
  }

  private expect<P extends Packet>(port: string, kind: KindOf<P>): P {
    const packet = this.ports[port];
    if (packet?.kind !== kind)
      throw new InputError(`input "${port}" of ${this.where}: expected ${kind}, got ${describe(packet)}`);
    return packet as P;
  }
}

/** One chunk's packets with typed accessors. */
export class ChunkView extends PortReader {
  constructor(
    readonly chunk: ChunkInfo,
    ports: Readonly<Record<string, Packet>>,
  ) {
    super(ports, `chunk ${chunk.index}`);
  }
}

export class StageItem extends ChunkView {
  /** Earlier chunks of the same clip, oldest first (at most `neighbours.before`). */
  readonly before: readonly ChunkView[];
  /** Later chunks of the same clip, nearest first (at most `neighbours.after`). */
  readonly after: readonly ChunkView[];
  /** The inputs taken whole. */
  readonly whole: PortReader;

  constructor(readonly data: ItemData) {
    super(data.chunk, data.ports);
    this.before = data.before.map((c) => new ChunkView(c.chunk, c.ports));
    this.after = data.after.map((c) => new ChunkView(c.chunk, c.ports));
    this.whole = new PortReader(data.whole, 'the whole inputs');
  }

  /** The chunk just before this one, if any. */
  get prev(): ChunkView | undefined {
    return this.before.at(-1);
  }

  /** The chunk just after this one, if any. */
  get next(): ChunkView | undefined {
    return this.after[0];
  }
}

/** An item of chunk `chunk` with no neighbours and no whole inputs (tests, simple callers). */
export function itemOf(
  chunk: ChunkInfo,
  ports: Readonly<Record<string, Packet>>,
  extra: Partial<Omit<ItemData, 'chunk' | 'ports'>> = {},
): StageItem {
  return new StageItem({
    chunk,
    ports,
    before: extra.before ?? [],
    after: extra.after ?? [],
    whole: extra.whole ?? {},
  });
}
