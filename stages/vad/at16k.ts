/**
 * A chunk's audio as 16 kHz mono (the VAD's input), whole or in part. Each chunk is resampled on
 * its own (a short sinc: 8 zero crossings; speech detection needs no more), so a chunk gives the
 * same samples however the clip was cut around it. An item reads its own chunk, the end of the
 * one before (the warm-up) and the start of the one after (the lookahead): resampling only those
 * parts, each with a margin past the resampler's reach and starting on the rates' common grid,
 * gives exactly the samples the whole chunk would, at a third of the work.
 */
import type { AudioPacket } from '../../src/core/types.ts';
import { resampleSlice, type SignalParts } from '../../src/dsp/index.ts';
import { monoInto } from '../shared/audio-window.ts';
import { RATE } from './probabilities.ts';

/** A short sinc: speech detection needs no more. */
const OPTIONS = { outputRate: RATE, zeroCrossings: 8 };

const lengthAt16k = (p: AudioPacket) => Math.round(p.chunk.end * RATE) - Math.round(p.chunk.start * RATE);

/**
 * 16 kHz samples [from, from + count) of the packet, as at16k gives them (zeros past its end). A
 * 16 kHz mono packet's own samples are returned as a view, not copied: read them, do not write.
 */
function slice16k(p: AudioPacket, from: number, count: number): Float32Array {
  if (p.sampleRate === RATE && p.channels === 1 && from >= 0 && from + count <= p.data.length)
    return p.data.subarray(from, from + count);
  return resampleSlice(monoParts(p), { ...OPTIONS, inputRate: p.sampleRate }, from, count);
}

/** The packet as one channel, mixed down only where it is read (a warm-up reads 1.5 s of 10). */
function monoParts(p: AudioPacket): Float32Array | SignalParts {
  if (p.channels === 1) return p.data;
  return {
    length: Math.floor(p.data.length / p.channels),
    part: (start, end) => {
      const mono = new Float32Array(end - start);
      monoInto(p, start, end, mono, 0);
      return mono;
    },
  };
}

/** The packet's audio as 16 kHz mono, exactly the chunk's 16 kHz sample range long (read-only: it may be the packet's own). */
export function at16k(p: AudioPacket): Float32Array {
  return at16kSuffix(p, 0);
}

/** `at16k(p).subarray(0, samples)`, resampling only the start of the chunk. */
export function at16kPrefix(p: AudioPacket, samples: number): Float32Array {
  return slice16k(p, 0, Math.min(samples, lengthAt16k(p)));
}

/** `at16k(p).subarray(from)`, resampling only the end of the chunk. */
export function at16kSuffix(p: AudioPacket, from: number): Float32Array {
  return slice16k(p, from, lengthAt16k(p) - from);
}
