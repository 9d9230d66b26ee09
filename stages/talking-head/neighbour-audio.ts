/**
 * An audio stage's view of chunk k with its context: the tail of chunk k−1, chunk k, the head of
 * chunk k+1, as one mono signal on the clip's sample axis. Packets carry exact owned ranges, so the
 * context is borrowed from the neighbours (`withNeighbours`) and the stage trims back to
 * [ownStart, ownEnd) after running its model.
 */
import type { AudioPacket, Packet } from '../../src/core/types.ts';
import type { Neighbourhood } from '../shared/chunk-items.ts';
import { TalkingHeadError } from './errors.ts';

export interface AudioWindow {
  /** Mono PCM at `rate`. */
  data: Float32Array;
  rate: number;
  /** Clip sample index of `data[0]`. */
  startSample: number;
  /** The chunk's own samples within `data`. */
  ownStart: number;
  ownEnd: number;
  /** The window reaches the clip's first / final sample. */
  atClipStart: boolean;
  atClipEnd: boolean;
}

export function audioPacket(packet: Packet | undefined, what: string): AudioPacket {
  if (!packet || packet.kind !== 'audio') throw new TalkingHeadError(`${what}: expected an audio packet, got ${packet ? packet.kind : 'nothing'}`);
  return packet;
}

/** The packet's samples as mono (channels averaged). */
export function monoSamples(p: AudioPacket): Float32Array {
  if (p.channels === 1) return p.data;
  const frames = Math.floor(p.data.length / p.channels);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let s = 0;
    for (let c = 0; c < p.channels; c++) s += p.data[i * p.channels + c];
    out[i] = s / p.channels;
  }
  return out;
}

/** Chunk k of `port` with up to `before`/`after` samples (at the packets' rate) from its neighbours. */
export function audioWindow(n: Neighbourhood, port: string, before: number, after: number): AudioWindow {
  const cur = audioPacket(n.cur.ports[port], `input "${port}" of chunk ${n.cur.chunk.index}`);
  const prev = n.prev && audioPacket(n.prev.ports[port], `input "${port}" of chunk ${n.prev.chunk.index}`);
  const next = n.next && audioPacket(n.next.ports[port], `input "${port}" of chunk ${n.next.chunk.index}`);
  for (const p of [prev, next]) {
    if (p && p.sampleRate !== cur.sampleRate) throw new TalkingHeadError(`input "${port}" changes rate between chunks: ${p.sampleRate} Hz vs ${cur.sampleRate} Hz`);
  }
  const own = monoSamples(cur);
  const head = prev ? monoSamples(prev) : new Float32Array(0);
  const tail = next ? monoSamples(next) : new Float32Array(0);
  const b = Math.min(Math.max(0, before), head.length);
  const a = Math.min(Math.max(0, after), tail.length);
  const data = new Float32Array(b + own.length + a);
  data.set(head.subarray(head.length - b), 0);
  data.set(own, b);
  data.set(tail.subarray(0, a), b + own.length);
  const startSample = cur.startSample - b;
  return {
    data,
    rate: cur.sampleRate,
    startSample,
    ownStart: b,
    ownEnd: b + own.length,
    atClipStart: startSample === 0,
    atClipEnd: cur.chunk.last || (!!next && next.chunk.last && a === tail.length),
  };
}
