/**
 * The VAD reads parts of its neighbouring chunks at 16 kHz (the warm-up's end of the one before,
 * the lookahead's start of the one after): resampling only those parts gives exactly the samples
 * resampling the whole chunk gives, at every rate.
 */
import { describe, expect, it } from 'vitest';
import type { AudioPacket } from '../../../src/core/types.ts';
import { resample } from '../../../src/dsp/index.ts';
import { monoSamples } from '../../../stages/shared/audio-window.ts';
import { at16k, at16kPrefix, at16kSuffix } from '../../../stages/vad/at16k.ts';

/** A 3.3 s chunk starting at 7 s, stereo, of a chirp and noise. */
function chunk(rate: number): AudioPacket {
  const frames = Math.round(3.3 * rate);
  const data = new Float32Array(2 * frames);
  let seed = 3;
  for (let i = 0; i < frames; i++) {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    const t = 7 + i / rate;
    data[2 * i] = 0.5 * Math.sin(2 * Math.PI * (200 + 300 * (t - 7)) * t) + 0.05 * (seed / 2 ** 32 - 0.5);
    data[2 * i + 1] = 0.3 * Math.sin(2 * Math.PI * 3100 * t);
  }
  const chunkInfo = { clipId: 'c', index: 2, start: 7, end: 7 + frames / rate, last: false };
  return { kind: 'audio', chunk: chunkInfo, sampleRate: rate, channels: 2, startSample: Math.round(7 * rate), data };
}

const same = (a: Float32Array, b: Float32Array) =>
  a.length === b.length &&
  Buffer.compare(
    Buffer.from(a.buffer, a.byteOffset, a.byteLength),
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  ) === 0;

describe('a chunk at 16 kHz, in part', () => {
  for (const rate of [8000, 16000, 22050, 44100, 48000, 96000]) {
    it(`at ${rate} Hz: a start and an end are the whole chunk's samples`, () => {
      const p = chunk(rate);
      // The whole chunk resampled, cut (or zero-padded) to its 16 kHz length.
      const length = Math.round(p.chunk.end * 16000) - 7 * 16000;
      const whole = new Float32Array(length);
      whole.set(resample(monoSamples(p), { inputRate: rate, outputRate: 16000, zeroCrossings: 8 }).subarray(0, length));
      expect(same(at16k(p), whole)).toBe(true);
      for (const n of [1, 511, 8000, 30000, whole.length - 3000, whole.length + 10]) {
        expect(same(at16kPrefix(p, n), whole.subarray(0, n))).toBe(true);
      }
      for (const from of [0, 1, 4000, 24001, whole.length - 5000, whole.length - 1]) {
        expect(same(at16kSuffix(p, from), whole.subarray(from))).toBe(true);
      }
    });
  }
});

describe('a 16 kHz mono chunk', () => {
  it('is read in place: its parts are views of its own samples, not copies', () => {
    const stereo = chunk(16000);
    const p: AudioPacket = { ...stereo, channels: 1, data: monoSamples(stereo) };
    for (const part of [at16k(p), at16kPrefix(p, 8000), at16kSuffix(p, 24001)]) expect(part.buffer).toBe(p.data.buffer);
    expect(same(at16kSuffix(p, 24001), p.data.subarray(24001))).toBe(true);
    expect(same(at16kPrefix(p, p.data.length + 10), p.data)).toBe(true);
  });
});
