/**
 * Moving packets between threads without copying their payloads: the typed array's buffer goes in
 * the transfer list. Transferring detaches the buffer on the sending side, so a payload is copied
 * first when it is a view on a larger buffer (transferring would take the neighbours too) or when
 * the caller still shares the packet with another consumer (fan-out).
 */
import type { ChunkPackets, ItemData } from '../core/item.ts';
import type { PortPacket } from '../core/stage.ts';
import type { Packet, TensorBuffer } from '../core/types.ts';

type Payload = Float32Array | Uint8Array | TensorBuffer;

function payloadOf(packet: Packet): Payload | undefined {
  switch (packet.kind) {
    case 'audio':
    case 'video':
      return packet.data;
    case 'tensor':
      return packet.tensor.data;
    case 'text':
      return undefined;
  }
}

function withPayload(packet: Packet, data: Payload): Packet {
  switch (packet.kind) {
    case 'audio':
      return { ...packet, data: data as Float32Array };
    case 'video':
      return { ...packet, data: data as Uint8Array };
    case 'tensor':
      return { ...packet, tensor: { ...packet.tensor, data: data as TensorBuffer } };
    case 'text':
      return packet;
  }
}

function ownsWholeBuffer(view: Payload): boolean {
  return view.byteOffset === 0 && view.byteLength === view.buffer.byteLength;
}

/**
 * The packets as they should be posted, and the buffers to transfer with them. `shared` packets
 * (also held by another consumer) are copied so that the other holder keeps a live buffer.
 */
export function prepareTransfer(
  packets: readonly PortPacket[],
  shared: (packet: Packet) => boolean = () => false,
): { packets: PortPacket[]; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const out = packets.map(({ port, packet }) => {
    const data = payloadOf(packet);
    if (!data || data.buffer instanceof SharedArrayBuffer) return { port, packet };
    const buffer = data.buffer as ArrayBuffer;
    if (ownsWholeBuffer(data) && !shared(packet) && !transfer.has(buffer)) {
      transfer.add(buffer);
      return { port, packet };
    }
    const copy = data.slice() as Payload;
    transfer.add(copy.buffer as ArrayBuffer);
    return { port, packet: withPayload(packet, copy) };
  });
  return { packets: out, transfer: [...transfer] };
}

/** Payload size of a packet, bytes (what an edge buffers). */
export function packetBytes(packet: Packet): number {
  const data = payloadOf(packet);
  return data ? data.byteLength : packet.kind === 'text' ? packet.text.length * 2 : 0;
}

/**
 * An item as it should be posted to a worker. A packet is moved only where `movable` says no one
 * else needs it (its last use by this node, not shared with another consumer); the others are
 * copied, since a neighbour chunk serves several items.
 */
export function prepareItem(
  item: ItemData,
  movable: (packet: Packet) => boolean,
): { item: ItemData; transfer: ArrayBuffer[] } {
  const transfer = new Set<ArrayBuffer>();
  const prepared = new Map<Packet, Packet>();
  const one = (packet: Packet): Packet => {
    const done = prepared.get(packet);
    if (done) return done;
    const data = payloadOf(packet);
    let out = packet;
    if (data && !(data.buffer instanceof SharedArrayBuffer)) {
      const buffer = data.buffer as ArrayBuffer;
      if (movable(packet) && ownsWholeBuffer(data) && !transfer.has(buffer)) transfer.add(buffer);
      else {
        const copy = data.slice() as Payload;
        transfer.add(copy.buffer as ArrayBuffer);
        out = withPayload(packet, copy);
      }
    }
    prepared.set(packet, out);
    return out;
  };
  const ports = (r: Readonly<Record<string, Packet>>) =>
    Object.fromEntries(Object.entries(r).map(([k, p]) => [k, one(p)]));
  const chunk = (c: ChunkPackets): ChunkPackets => ({ chunk: c.chunk, ports: ports(c.ports) });
  return {
    item: {
      chunk: item.chunk,
      ports: ports(item.ports),
      before: item.before.map(chunk),
      after: item.after.map(chunk),
      whole: ports(item.whole),
    },
    transfer: [...transfer],
  };
}
