import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { StageError } from '../../src/core/errors.ts';
import type { AudioPacket, ChunkInfo, TensorPacket, VideoPacket } from '../../src/core/types.ts';
import {
  chunkGeometry,
  extractWindow,
  planChunks,
  silenceCuts,
  stitchAudio,
  stitchTensor,
  stitchVideo,
} from '../../src/chunking/index.ts';
import { chunkStageStitch, maxAbsDiff, noise, randInt, rng } from './helpers.ts';

/** y[n] = Σ taps[k]·x[n + k − left], zeros outside the input: receptive field left / taps−1−left. */
function fir(x: Float32Array, taps: Float32Array, left: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let acc = 0;
    for (let k = 0; k < taps.length; k++) {
      const m = n + k - left;
      if (m >= 0 && m < x.length) acc += taps[k] * x[m];
    }
    y[n] = acc;
  }
  return y;
}

/** WaveNet-like stack: kernel-3 dilated convs + tanh, each zero-padded ('same'); field ±Σ dilation. */
function dilatedStack(x: Float32Array, layers: readonly { d: number; w: readonly number[]; b: number }[]): Float32Array {
  let h = x;
  for (const { d, w, b } of layers) {
    const y = new Float32Array(h.length);
    for (let n = 0; n < h.length; n++) {
      const l = n - d >= 0 ? h[n - d] : 0;
      const r = n + d < h.length ? h[n + d] : 0;
      y[n] = Math.tanh(b + w[0] * l + w[1] * h[n] + w[2] * r);
    }
    h = y;
  }
  return h;
}

const chunk = (index: number, last: boolean, contextBefore: number, contextAfter: number): ChunkInfo => ({
  clipId: 'c',
  index,
  start: index,
  end: index + 1,
  contextBefore,
  contextAfter,
  last,
});

describe('chunk + stitch', () => {
  it('reproduces the input exactly through an identity stage, for random geometries and fades', async () => {
    const r = rng(11);
    for (let trial = 0; trial < 60; trial++) {
      const chunkUnits = randInt(r, 50, 3000);
      const geometry = chunkGeometry({
        chunkUnits,
        overlapUnits: randInt(r, 0, Math.min(400, chunkUnits)),
        contextBeforeUnits: randInt(r, 0, 500),
        contextAfterUnits: randInt(r, 0, 500),
        fixedShape: r() < 0.7,
      });
      const signal = noise(r, randInt(r, 1, 20000));
      const fade = r() < 0.5 ? 'linear' : 'raised-cosine';
      const { output } = await chunkStageStitch({ signal, geometry, sampleRate: 8000, stage: (w) => w, fade });
      expect(output.length).toBe(signal.length);
      expect(maxAbsDiff(output, signal)).toBe(0);
    }
  });

  it('equals the whole-clip output of finite-receptive-field stages when context ≥ the field', async () => {
    const r = rng(3);
    const rate = 8000;
    const signal = noise(r, Math.round(4.37 * rate));
    const taps = noise(r, 31); // field: 15 before, 15 after
    const layers = [1, 2, 4, 8].map((d) => ({ d, w: [r() - 0.5, r() - 0.5, r() - 0.5], b: 0.1 * (r() - 0.5) }));
    const stages = { fir: (x: Float32Array) => fir(x, taps, 15), dilated: (x: Float32Array) => dilatedStack(x, layers) };
    for (const [name, stage] of Object.entries(stages)) {
      const whole = stage(signal);
      for (const [chunkUnits, overlapUnits, searchUnits] of [[1000, 0, 0], [2000, 160, 0], [7777, 64, 0], [4000, 256, 800]]) {
        const geometry = chunkGeometry({ chunkUnits, overlapUnits, contextBeforeUnits: 15, contextAfterUnits: 15, searchUnits });
        const cuts = searchUnits > 0 ? silenceCuts(geometry, signal, 1) : undefined;
        const { output, chunks } = await chunkStageStitch({ signal, geometry, sampleRate: rate, stage, cuts });
        expect(chunks.length, name).toBeGreaterThan(2);
        expect(output.length).toBe(whole.length);
        expect(maxAbsDiff(output, whole), `${name} chunk ${chunkUnits}`).toBeLessThan(1e-5);
      }
      // Too little context: the seams show — the test above is not vacuous.
      const short = chunkGeometry({ chunkUnits: 1000, contextBeforeUnits: 4, contextAfterUnits: 4 });
      const { output } = await chunkStageStitch({ signal, geometry: short, sampleRate: rate, stage });
      expect(maxAbsDiff(output, whole), name).toBeGreaterThan(1e-3);
    }
  });

  it('chunks a clip shorter than one window unpadded when fixedShape is off, so it still equals whole', async () => {
    const r = rng(5);
    const signal = noise(r, 700);
    const layers = [1, 3].map((d) => ({ d, w: [r(), r(), r()], b: 0.2 }));
    const stage = (x: Float32Array) => dilatedStack(x, layers);
    const geometry = chunkGeometry({ chunkUnits: 300, overlapUnits: 20, contextBeforeUnits: 4, contextAfterUnits: 4, fixedShape: false });
    const { output } = await chunkStageStitch({ signal, geometry, sampleRate: 8000, stage });
    expect(maxAbsDiff(output, stage(signal))).toBeLessThan(1e-6);
  });

  it('keeps hop-aligned frame outputs (a mel-like tensor) equal to whole-clip frames', async () => {
    const r = rng(9);
    const hop = 160;
    const signal = noise(r, 16000 * 3 + 77); // not a whole number of hops
    const taps = noise(r, 7); // ±3 frames
    const energy = (x: Float32Array) => {
      const frames = new Float32Array(Math.ceil(x.length / hop));
      for (let i = 0; i < x.length; i++) frames[Math.floor(i / hop)] += (x[i] * x[i]) / hop;
      return fir(frames, taps, 3);
    };
    const whole = energy(signal);
    const geometry = chunkGeometry({
      chunkUnits: 5000, // rounded up to 5120 = 32 hops
      overlapUnits: 2 * hop,
      contextBeforeUnits: 3 * hop,
      contextAfterUnits: 3 * hop,
      granularityUnits: hop,
    });
    const packets: TensorPacket[] = planChunks(geometry, signal.length).map((p) => {
      const frames = energy(extractWindow(signal, 1, p));
      const ownedFrames = Math.ceil(p.ownedEnd / hop) - p.ownedStart / hop;
      const before = p.contextBefore / hop;
      return {
        kind: 'tensor',
        name: 'energy',
        chunk: chunk(p.index, p.last, before, frames.length - before - ownedFrames),
        tensor: { dtype: 'float32', dims: [1, frames.length], data: frames },
      };
    });
    const out = await lastValueFrom(from(packets).pipe(stitchTensor({ unitsPerSecond: 100, overlapSeconds: 0.02 }), toArray()));
    const joined = new Float32Array(whole.length);
    let at = 0;
    for (const p of out) {
      expect(p.tensor.dims[0]).toBe(1);
      joined.set(p.tensor.data as Float32Array, at);
      at += p.tensor.dims[1];
    }
    expect(at).toBe(whole.length);
    expect(maxAbsDiff(joined, whole)).toBeLessThan(1e-5);
  });
});

describe('seam fades', () => {
  const dcChunks = (fade: 'equal-power' | 'raised-cosine') => {
    const geometry = chunkGeometry({ chunkUnits: 1000, overlapUnits: 200 });
    const signal = new Float32Array(3000).fill(0.5);
    return chunkStageStitch({ signal, geometry, sampleRate: 1000, stage: (w) => w, fade });
  };

  it('equal-power lifts a correlated seam by up to √2 (+3 dB); raised-cosine keeps it flat', async () => {
    const ep = (await dcChunks('equal-power')).output;
    const peak = Math.max(...ep) / 0.5;
    expect(peak).toBeGreaterThan(1.41);
    expect(peak).toBeLessThanOrEqual(Math.SQRT2 + 1e-6);
    expect(ep[999]).toBe(0.5); // untouched before the seam
    const rc = (await dcChunks('raised-cosine')).output;
    expect(Math.max(...rc)).toBe(0.5);
    expect(Math.min(...rc)).toBe(0.5);
  });

  it('blends video frames linearly across the overlap, rounded to bytes', async () => {
    const size = { width: 2, height: 1, fps: 4 };
    const frame = (n: number, v: number) => new Uint8Array(n * 6).fill(v);
    // Chunk 0 owns frames 0–3 and computed 4 more after (value 0); chunk 1 owns frames 4–7 (value 200).
    const packets: VideoPacket[] = [
      { kind: 'video', ...size, chunk: chunk(0, false, 0, 4), startFrame: 0, frameCount: 8, data: frame(8, 0) },
      { kind: 'video', ...size, chunk: chunk(1, true, 2, 0), startFrame: 2, frameCount: 6, data: frame(6, 200) },
    ];
    const out = await lastValueFrom(from(packets).pipe(stitchVideo({ overlapSeconds: 1 }), toArray()));
    expect(out.map((p) => [p.startFrame, p.frameCount])).toEqual([[0, 4], [4, 4]]);
    // Incoming gains at frame centres: 1/8, 3/8, 5/8, 7/8 of 200.
    expect([...out[1].data].filter((_, i) => i % 6 === 0)).toEqual([25, 75, 125, 175]);
  });

  it('refuses chunks out of order and seams without the context to fade over', async () => {
    const audio = (index: number, last: boolean, cb: number, ca: number, n: number): AudioPacket => ({
      kind: 'audio',
      chunk: chunk(index, last, cb, ca),
      sampleRate: 100,
      channels: 1,
      startSample: 0,
      data: new Float32Array(n),
    });
    const run = (packets: AudioPacket[]) => lastValueFrom(from(packets).pipe(stitchAudio({ overlapSeconds: 0.1, stage: 'rvc' }), toArray()));
    await expect(run([audio(0, false, 0, 10, 50), audio(2, true, 0, 0, 40)])).rejects.toThrow(/rvc.*chunk 2.*expected 1/);
    await expect(run([audio(0, false, 0, 4, 50), audio(1, true, 0, 0, 40)])).rejects.toThrow(StageError);
    await expect(run([audio(0, false, 0, 4, 50), audio(1, true, 0, 0, 40)])).rejects.toThrow(/carries 4 units.*10-unit/);
  });
});
