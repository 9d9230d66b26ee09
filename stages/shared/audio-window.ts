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

/** Mono samples of `p` in [from, to) (channels averaged), written into `out` at `at`. */
export function monoInto(p: AudioPacket, from: number, to: number, out: Float32Array, at: number): void {
  if (p.channels === 1) {
    out.set(p.data.subarray(from, to), at);
    return;
  }
  for (let i = from; i < to; i++) {
    let s = 0;
    for (let c = 0; c < p.channels; c++) s += p.data[i * p.channels + c];
    out[at + i - from] = s / p.channels;
  }
}

const framesOf = (p: AudioPacket) => Math.floor(p.data.length / p.channels);

/** The neighbours' packets on `port`, each checked to be at the chunk's rate. */
function neighbourPackets(views: readonly ChunkView[], port: string, rate: number): AudioPacket[] {
  return views.map((v) => {
    const p = v.audio(port);
    if (p.sampleRate !== rate)
      throw new InputError(
        `input "${port}" changes rate between chunks: ${p.sampleRate} Hz in chunk ${v.chunk.index} vs ${rate} Hz`,
      );
    return p;
  });
}

/** Chunk k of `port` with up to `before`/`after` samples (at the packets' rate) from its neighbours. */
export function audioWindow(item: StageItem, port: string, before: number, after: number): AudioWindow {
  const cur = item.audio(port);
  const heads = neighbourPackets(item.before, port, cur.sampleRate);
  const tails = neighbourPackets(item.after, port, cur.sampleRate);
  // Only the samples the window uses are copied: the tail of the chunks before, the head of those after.
  const tailFrames = tails.reduce((n, p) => n + framesOf(p), 0);
  const b = Math.min(
    Math.max(0, before),
    heads.reduce((n, p) => n + framesOf(p), 0),
  );
  const a = Math.min(Math.max(0, after), tailFrames);
  const own = framesOf(cur);
  const data = new Float32Array(b + own + a);
  let need = b;
  for (let i = heads.length - 1; i >= 0 && need > 0; i--) {
    const n = framesOf(heads[i]);
    const take = Math.min(need, n);
    need -= take;
    monoInto(heads[i], n - take, n, data, need);
  }
  monoInto(cur, 0, own, data, b);
  let at = b + own;
  for (const p of tails) {
    const take = Math.min(b + own + a - at, framesOf(p));
    if (take <= 0) break;
    monoInto(p, 0, take, data, at);
    at += take;
  }
  const startSample = cur.startSample - b;
  const lastAfter = item.after.at(-1);
  return {
    data,
    rate: cur.sampleRate,
    startSample,
    ownStart: b,
    ownEnd: b + own,
    atClipStart: startSample === 0,
    atClipEnd: cur.chunk.last || (!!lastAfter && lastAfter.chunk.last && a === tailFrames),
  };
}
