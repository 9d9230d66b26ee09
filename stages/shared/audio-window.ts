/**
 * An audio stage's view of chunk k with its context: the tail of the chunks before, chunk k, the
 * head of the chunks after, as one mono signal on the clip's sample axis. Packets carry exact
 * owned ranges, so the context is borrowed from the item's neighbours (the kind declares
 * `item.neighbours`) and the stage trims back to [ownStart, ownEnd) after running its model.
 */
import type { ChunkView, StageItem } from '../../src/core/item.ts';
import { InputError } from '../../src/core/errors.ts';
import type { AudioPacket } from '../../src/core/types.ts';

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

function monoOf(views: readonly ChunkView[], port: string, rate: number): Float32Array {
  const parts = views.map((v) => {
    const p = v.audio(port);
    if (p.sampleRate !== rate) throw new InputError(`input "${port}" changes rate between chunks: ${p.sampleRate} Hz in chunk ${v.chunk.index} vs ${rate} Hz`);
    return monoSamples(p);
  });
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Chunk k of `port` with up to `before`/`after` samples (at the packets' rate) from its neighbours. */
export function audioWindow(item: StageItem, port: string, before: number, after: number): AudioWindow {
  const cur = item.audio(port);
  const own = monoSamples(cur);
  const head = monoOf(item.before, port, cur.sampleRate);
  const tail = monoOf(item.after, port, cur.sampleRate);
  const b = Math.min(Math.max(0, before), head.length);
  const a = Math.min(Math.max(0, after), tail.length);
  const data = new Float32Array(b + own.length + a);
  data.set(head.subarray(head.length - b), 0);
  data.set(own, b);
  data.set(tail.subarray(0, a), b + own.length);
  const startSample = cur.startSample - b;
  const lastAfter = item.after.at(-1);
  return {
    data,
    rate: cur.sampleRate,
    startSample,
    ownStart: b,
    ownEnd: b + own.length,
    atClipStart: startSample === 0,
    atClipEnd: cur.chunk.last || (!!lastAfter && lastAfter.chunk.last && a === tail.length),
  };
}
