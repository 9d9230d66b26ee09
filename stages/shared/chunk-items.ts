/**
 * Stage operators over chunk items. The runtime feeds a stage one joined item at a time: the
 * packets of every input port for one chunk index (a whole input only with the first item).
 * `perChunk` processes each item as it comes; `withNeighbours` holds one item back so that chunk
 * k is processed with chunk k−1 and chunk k+1 at hand — the context a stage with a receptive
 * field needs (declare `lookahead: 1` on such a stage). Packets on edges carry exact owned ranges
 * with no context; a stage takes its context from the neighbours and emits owned ranges again.
 */
import { concat, concatMap, defer, from, Observable, of, type OperatorFunction } from 'rxjs';
import type { PortPacket } from '../../src/core/stage.ts';
import type { ChunkInfo, Packet } from '../../src/core/types.ts';

export interface ChunkItem {
  chunk: ChunkInfo;
  /** Packets of this chunk by input port (whole ports excluded). */
  ports: Record<string, Packet>;
}

export interface Neighbourhood {
  prev?: ChunkItem;
  cur: ChunkItem;
  next?: ChunkItem;
  /** Whole inputs (one packet each), by port, as far as they have arrived. */
  wholes: Readonly<Record<string, Packet>>;
}

type Process = (n: Neighbourhood) => Promise<PortPacket[]> | PortPacket[];

/**
 * Groups the packets of one item: they are pushed in one synchronous burst by the runtime, so an
 * item is complete at the end of the microtask in which its first packet arrived.
 */
function groupItems(wholePorts: readonly string[], wholes: Record<string, Packet>): OperatorFunction<PortPacket, ChunkItem> {
  return (input) =>
    new Observable<ChunkItem>((subscriber) => {
      let open: ChunkItem | undefined;
      let scheduled = false;
      const flush = () => {
        scheduled = false;
        if (open) subscriber.next(open);
        open = undefined;
      };
      const sub = input.subscribe({
        next: ({ port, packet }) => {
          if (wholePorts.includes(port)) {
            wholes[port] = packet;
            return;
          }
          const c = packet.chunk;
          if (open && (open.chunk.clipId !== c.clipId || open.chunk.index !== c.index)) flush();
          open ??= { chunk: c, ports: {} };
          open.ports[port] = packet;
          if (!scheduled) {
            scheduled = true;
            queueMicrotask(flush);
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => sub.unsubscribe();
    });
}

const END = Symbol('end');

/** Processes chunk k once chunk k+1 (or the end) has arrived; one item at a time, in order. */
export function withNeighbours(wholePorts: readonly string[], process: Process): OperatorFunction<PortPacket, PortPacket> {
  return (input) =>
    defer(() => {
      const wholes: Record<string, Packet> = {};
      let prev: ChunkItem | undefined;
      let held: ChunkItem | undefined;
      const step = async (item: ChunkItem | typeof END): Promise<PortPacket[]> => {
        const next = item === END ? undefined : item;
        if (next && held && next.chunk.clipId !== held.chunk.clipId) {
          // A new clip: finish the old one without borrowing context across clips.
          const out = await process({ prev, cur: held, wholes });
          prev = undefined;
          held = next;
          return out;
        }
        if (!held) {
          held = next;
          return [];
        }
        const out = await process({ prev, cur: held, next, wholes });
        prev = held;
        held = next;
        return out;
      };
      return concat(input.pipe(groupItems(wholePorts, wholes)), of(END as ChunkItem | typeof END)).pipe(
        concatMap((item) => from(step(item))),
        concatMap((packets) => from(packets)),
      );
    });
}

/** Processes each item as it arrives (stages with no context across chunks). */
export function perChunk(wholePorts: readonly string[], process: Process): OperatorFunction<PortPacket, PortPacket> {
  return (input) =>
    defer(() => {
      const wholes: Record<string, Packet> = {};
      return input.pipe(
        groupItems(wholePorts, wholes),
        concatMap((cur) => from(Promise.resolve(process({ cur, wholes })))),
        concatMap((packets) => from(packets)),
      );
    });
}

/** Sample index of a time on a rate: chunk boundaries on the granularity grid map exactly. */
export function sampleAt(seconds: number, rate: number): number {
  return Math.round(seconds * rate);
}

/** The owned sample range of a chunk at `rate`. */
export function ownedSamples(chunk: ChunkInfo, rate: number): { start: number; end: number } {
  return { start: sampleAt(chunk.start, rate), end: sampleAt(chunk.end, rate) };
}

/**
 * For stages whose inputs are all whole (a script, a prompt): the runtime delivers them together
 * as the first item; `produce` starts at the end of that burst and its packets stream out as it
 * yields them (a TTS stage yields chunk after chunk of speech). Emitting begins before the input
 * completes, since the runtime waits for the first item's output before it ends the input.
 */
export function fromWholeInputs(
  required: readonly string[],
  produce: (wholes: Readonly<Record<string, Packet>>) => AsyncIterable<PortPacket>,
  /** The stage's `ctx.outputRoom`: awaited before each further chunk, so generation keeps pace. */
  outputRoom?: () => Promise<void>,
): OperatorFunction<PortPacket, PortPacket> {
  return (input) =>
    new Observable<PortPacket>((subscriber) => {
      const wholes: Record<string, Packet> = {};
      let started = false;
      let produced = false;
      let inputDone = false;
      const finish = () => {
        if (produced && inputDone) subscriber.complete();
      };
      const start = async () => {
        try {
          const missing = required.filter((p) => !(p in wholes));
          if (missing.length) throw new Error(`input ${missing.map((p) => `"${p}"`).join(', ')} never arrived`);
          let emitted = 0;
          for await (const out of produce(wholes)) {
            if (subscriber.closed) return;
            // The first chunk completes the runtime's item; later ones wait for room downstream
            // (the generator stays suspended at its yield meanwhile).
            if (emitted++ > 0 && outputRoom) await outputRoom();
            if (subscriber.closed) return;
            subscriber.next(out);
          }
          produced = true;
          finish();
        } catch (err) {
          subscriber.error(err);
        }
      };
      const sub = input.subscribe({
        next: ({ port, packet }) => {
          wholes[port] = packet;
          if (!started) {
            started = true;
            queueMicrotask(() => void start());
          }
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          inputDone = true;
          if (!started) {
            started = true;
            void start();
          }
          finish();
        },
      });
      return () => sub.unsubscribe();
    });
}
