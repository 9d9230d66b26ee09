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

/** A copy of the payload in a buffer of its own (a Node Buffer's slice() is a view: copied as bytes). */
function copyOf(data: Payload): Payload {
  return Buffer.isBuffer(data) ? Uint8Array.from(data) : (data.slice() as Payload);
}

/** The view spans its whole buffer (posting it carries nothing else; moving it takes nothing else). */
export function ownsWholeBuffer(view: ArrayBufferView): boolean {
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
    const copy = copyOf(data);
    transfer.add(copy.buffer as ArrayBuffer);
    return { port, packet: withPayload(packet, copy) };
  });
  return { packets: out, transfer: [...transfer] };
}

/** Bytes of the packet's payload that sit in shared memory. */
export function sharedBytesOf(packet: Packet): number {
  const data = payloadOf(packet);
  return data && data.buffer instanceof SharedArrayBuffer ? data.byteLength : 0;
}

/** Bytes of the item's payloads that sit in shared memory (what a worker was handed, not given). */
export function sharedPayloadBytes(item: ItemData): number {
  let bytes = 0;
  const add = (ports: Readonly<Record<string, Packet>>) => {
    for (const packet of Object.values(ports)) bytes += sharedBytesOf(packet);
  };
  add(item.ports);
  for (const c of [...item.before, ...item.after]) add(c.ports);
  add(item.whole);
  return bytes;
}

/** Payload size of a packet, bytes (what an edge buffers). */
export function packetBytes(packet: Packet): number {
  const data = payloadOf(packet);
  return data ? data.byteLength : packet.kind === 'text' ? packet.text.length * 2 : 0;
}

/**
 * Shared-memory twins of packets that are posted more than once, by packet (held as long as the
 * packet is). A chunk serves several items — its own and its neighbours' (RVC's converter takes
 * the chunk before and after), of every consumer — and each post of it used to copy it: in
 * voice-convert a 10 s audio chunk was copied 6 times and its content features twice, ~7 MB per
 * chunk on the main thread. Its twin is made once and every later post shares it.
 */
const sharedTwins = new WeakMap<Packet, Packet>();

/** The packet with its payload copied into a SharedArrayBuffer. */
function inSharedMemory(packet: Packet, data: Payload): Packet {
  // A Node Buffer's constructor is the deprecated Buffer(): its bytes go as a Uint8Array.
  const Typed = (Buffer.isBuffer(data) ? Uint8Array : data.constructor) as new (buffer: SharedArrayBuffer) => Payload;
  const copy = new Typed(new SharedArrayBuffer(data.byteLength));
  (copy as Float32Array).set(data as Float32Array);
  return withPayload(packet, copy);
}

/** Makes the packet's twin: its payload copied into a SharedArrayBuffer. */
function makeSharedTwin(packet: Packet, data: Payload): Packet {
  const twin = inSharedMemory(packet, data);
  sharedTwins.set(packet, twin);
  return twin;
}

/**
 * A stage worker's output as it should be posted to the main thread: moved (prepareTransfer), or,
 * for a port whose packets the main thread would post to workers more than once
 * (WorkerInit.sharedOutputs), made in shared memory here, so that the main thread needs no twin
 * of it (the copy is the worker's, off the thread that feeds every stage).
 */
export function prepareOutput(out: PortPacket, shared: boolean): { packet: PortPacket; transfer: ArrayBuffer[] } {
  const data = payloadOf(out.packet);
  if (shared && data && !(data.buffer instanceof SharedArrayBuffer))
    return { packet: { port: out.port, packet: inSharedMemory(out.packet, data) }, transfer: [] };
  const prepared = prepareTransfer([out]);
  return { packet: prepared.packets[0], transfer: prepared.transfer };
}

/**
 * An item as it should be posted to a worker. A packet is moved only where `movable` says no one
 * else needs it (its last use by this node, not shared with another consumer) and no earlier post
 * made it a shared twin; the others go as their shared-memory twin (sharedTwins), made on the
 * first post that cannot move the packet. Packets are read-only to every stage (in one process
 * they are the same objects for every consumer), so one copy in shared memory serves them all.
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
      const twin = sharedTwins.get(packet);
      if (twin) out = twin;
      else if (movable(packet) && ownsWholeBuffer(data) && !transfer.has(buffer)) transfer.add(buffer);
      else out = makeSharedTwin(packet, data);
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
