/**
 * A chunk's audio as 16 kHz mono (the VAD's input), whole or in part. Each chunk is resampled on
 * its own (a short sinc: 8 zero crossings; speech detection needs no more), so a chunk gives the
 * same samples however the clip was cut around it. An item reads its own chunk, the end of the
 * one before (the warm-up) and the start of the one after (the lookahead): resampling only those
 * parts, each with a margin past the resampler's reach and starting on the rates' common grid,
 * gives exactly the samples the whole chunk would, at a third of the work.
 */
import type { AudioPacket } from '../../src/core/types.ts';
import { resample } from '../../src/dsp/index.ts';
import { monoSamples } from '../shared/audio-window.ts';
import { RATE } from './probabilities.ts';

const ZERO_CROSSINGS = 8;
/** Input samples beyond a part that its resampling reads: more than the sinc's reach at any rate ≤ 192 kHz. */
const MARGIN = 1024;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lengthAt16k = (p: AudioPacket) => Math.round(p.chunk.end * RATE) - Math.round(p.chunk.start * RATE);
const to16k = (x: Float32Array, rate: number) =>
  resample(x, { inputRate: rate, outputRate: RATE, zeroCrossings: ZERO_CROSSINGS });

/** The packet's audio as 16 kHz mono, exactly the chunk's 16 kHz sample range long. */
export function at16k(p: AudioPacket): Float32Array {
  const mono = monoSamples(p);
  const want = lengthAt16k(p);
  const x = p.sampleRate === RATE ? mono : to16k(mono, p.sampleRate);
  if (x.length === want) return x;
  const out = new Float32Array(want);
  out.set(x.subarray(0, want));
  return out;
}

/** `at16k(p).subarray(0, samples)`, resampling only the start of the chunk. */
export function at16kPrefix(p: AudioPacket, samples: number): Float32Array {
  if (samples >= lengthAt16k(p) || p.sampleRate === RATE) return at16k(p).subarray(0, samples);
  const mono = monoSamples(p);
  const read = Math.ceil((samples * p.sampleRate) / RATE) + MARGIN;
  if (read >= mono.length) return at16k(p).subarray(0, samples);
  return to16k(mono.subarray(0, read), p.sampleRate).subarray(0, samples);
}

/** `at16k(p).subarray(from)`, resampling only the end of the chunk. */
export function at16kSuffix(p: AudioPacket, from: number): Float32Array {
  if (from <= 0 || p.sampleRate === RATE) return at16k(p).subarray(Math.max(0, from));
  const g = gcd(p.sampleRate, RATE);
  const [down, up] = [p.sampleRate / g, RATE / g];
  // The first input sample read: on the grid (output 0 of the part is then a whole output index).
  const first = Math.floor((Math.floor((from * down) / up) - MARGIN) / down) * down;
  if (first <= 0) return at16k(p).subarray(from);
  const y = to16k(monoSamples(p).subarray(first), p.sampleRate);
  const offset = from - (first / down) * up;
  const out = new Float32Array(lengthAt16k(p) - from);
  out.set(y.subarray(offset, offset + out.length));
  return out;
}
