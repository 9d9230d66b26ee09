import { describe, expect, it } from 'vitest';
import { DspError } from '../../src/dsp/errors.ts';
import { StreamingResampler, resample, resampleSlice, resampledLength } from '../../src/dsp/resample.ts';
import { dB, noise, sine } from './signals.ts';

const PAIRS = [
  [24000, 16000],
  [22050, 16000],
  [44100, 48000],
  [16000, 40000],
] as const;

/** SNR, dB, of a resampled sine against the ideal sine at the output rate, edges excluded. */
function sineSnr(inputRate: number, outputRate: number, freq: number): number {
  const x = sine({ freq, rate: inputRate, samples: inputRate / 2, amplitude: 0.5, phase: 0.3 });
  const y = resample(x, { inputRate, outputRate });
  const edge = Math.ceil(outputRate * 0.02);
  let signal = 0,
    error = 0;
  for (let n = edge; n < y.length - edge; n++) {
    const want = 0.5 * Math.sin((2 * Math.PI * freq * n) / outputRate + 0.3);
    signal += want * want;
    error += (y[n] - want) ** 2;
  }
  return 10 * Math.log10(signal / error);
}

describe('resample', () => {
  it.each(PAIRS)('keeps passband sines above 100 dB SNR, %i → %i Hz', (inputRate, outputRate) => {
    const nyquist = Math.min(inputRate, outputRate) / 2;
    // Up to 80 % of the lower Nyquist (6.4 kHz for 16 kHz output).
    for (const fraction of [0.05, 0.3, 0.6, 0.8]) {
      expect(sineSnr(inputRate, outputRate, fraction * nyquist)).toBeGreaterThan(100);
    }
  });

  it('keeps 80 dB SNR at 85 % of the lower Nyquist', () => {
    expect(sineSnr(22050, 16000, 0.85 * 8000)).toBeGreaterThan(80);
  });

  it('rejects content above the output Nyquist by more than 90 dB (no aliasing)', () => {
    for (const freq of [8400, 9000, 10000]) {
      const y = resample(sine({ freq, rate: 22050, samples: 11025, amplitude: 1 }), {
        inputRate: 22050,
        outputRate: 16000,
      });
      let power = 0;
      for (let n = 400; n < y.length - 400; n++) power += y[n] * y[n];
      const rms = Math.sqrt(power / (y.length - 800));
      expect(dB(rms / Math.SQRT1_2)).toBeLessThan(-90);
    }
  });

  it('gives ⌈N·out/in⌉ samples for any N', () => {
    for (const [inputRate, outputRate] of PAIRS) {
      for (const n of [0, 1, 2, 3, 7, 441, 1000, 22050, 22051]) {
        const want = Math.max(0, Math.ceil((n * outputRate) / inputRate - 1e-9));
        expect(resampledLength(n, inputRate, outputRate)).toBe(want);
        expect(resample(noise(n, n + 1), { inputRate, outputRate }).length).toBe(want);
      }
    }
  });

  it('passes the signal through unchanged when the rates are equal', () => {
    const x = noise(1000, 9);
    const y = resample(x, { inputRate: 16000, outputRate: 16000 });
    expect(y).toEqual(x);
    expect(y).not.toBe(x);
  });

  it('aligns output sample 0 with input sample 0 (zero delay)', () => {
    // A slow sine keeps its phase through a 3:2 decimation: compare at the same instants.
    const x = sine({ freq: 50, rate: 24000, samples: 24000, phase: 1 });
    const y = resample(x, { inputRate: 24000, outputRate: 16000 });
    for (const n of [2000, 8000, 14000]) expect(y[n]).toBeCloseTo(x[(n * 3) / 2], 5);
  });

  it('refuses rates that are not positive integers, naming the value', () => {
    expect(() => resample(new Float32Array(4), { inputRate: 22050.5, outputRate: 16000 })).toThrow(DspError);
    expect(() => resample(new Float32Array(4), { inputRate: 22050, outputRate: 0 })).toThrow(/outputRate = 0/);
  });
});

describe('StreamingResampler', () => {
  it.each(PAIRS)('gives exactly the whole-signal result in any chunking, %i → %i Hz', (inputRate, outputRate) => {
    const x = noise(20000, 42);
    const whole = resample(x, { inputRate, outputRate });
    // Chunk sizes include empty and one-sample chunks and ones shorter than the filter.
    const sizes = [0, 1, 5000, 3, 0, 77, 1, 999, 2048, 6000];
    const stream = new StreamingResampler({ inputRate, outputRate });
    const parts: Float32Array[] = [];
    let at = 0;
    for (let i = 0; at < x.length; i++) {
      const size = sizes[i % sizes.length];
      parts.push(stream.push(x.subarray(at, Math.min(x.length, at + size))));
      at += size;
    }
    parts.push(stream.flush());
    const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      joined.set(p, offset);
      offset += p.length;
    }
    expect(joined.length).toBe(whole.length);
    expect(joined).toEqual(whole);
  });

  it('emits output as input arrives, lagging by at most the filter look-ahead', () => {
    const stream = new StreamingResampler({ inputRate: 22050, outputRate: 16000 });
    let inputs = 0,
      outputs = 0;
    for (let i = 0; i < 20; i++) {
      outputs += stream.push(noise(2205, i)).length;
      inputs += 2205;
      const ready = resampledLength(inputs - stream.lookahead, 22050, 16000);
      expect(outputs).toBeGreaterThanOrEqual(ready - 1);
      expect(outputs).toBeLessThanOrEqual(resampledLength(inputs, 22050, 16000));
    }
  });

  it('refuses input after flush', () => {
    const stream = new StreamingResampler({ inputRate: 16000, outputRate: 48000 });
    stream.push(new Float32Array(10));
    stream.flush();
    expect(() => stream.push(new Float32Array(1))).toThrow(/after flush/);
  });
});

describe('resampleSlice', () => {
  it('gives exactly the samples of the whole resampling, from anywhere, at every rate pair', () => {
    const x = Float32Array.from({ length: 30_011 }, (_, i) => Math.sin(i * 0.0137) + 0.3 * Math.sin(i * 1.91));
    for (const [inputRate, outputRate] of [
      [44_100, 16_000],
      [16_000, 40_000],
      [48_000, 44_100],
      [96_000, 16_000],
      [22_050, 22_050],
    ]) {
      const options = { inputRate, outputRate, zeroCrossings: 8 };
      const whole = resample(x, options);
      for (const [first, count] of [
        [0, 100],
        [1, 5000],
        [7777, 3333],
        [whole.length - 50, 50],
        [whole.length - 20, 60], // past the end: zeros
      ]) {
        const expected = new Float32Array(count);
        expected.set(whole.subarray(first, first + count));
        expect(Array.from(resampleSlice(x, options, first, count))).toEqual(Array.from(expected));
      }
    }
  });
});
