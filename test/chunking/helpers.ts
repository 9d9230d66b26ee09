/** Shared by the chunking tests: a seeded RNG, offline chunk → stage → stitch, and array compare. */
import { from, lastValueFrom, toArray } from 'rxjs';
import type { AudioPacket } from '../../src/core/types.ts';
import { audioPacketFromWindow, extractWindow, planChunks, stitchAudio, type ChunkGeometry, type SeamFade } from '../../src/chunking/index.ts';

/** mulberry32: small, seeded, good enough to draw test cases. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function noise(r: () => number, n: number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = r() * 2 - 1;
  return x;
}

export function concatAll(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A stage as the tests model it: a window of mono PCM in, the same number of samples out. */
export type WindowStage = (window: Float32Array) => Float32Array;

/**
 * Whole clip → planned windows → `stage` per window → stitchAudio → concatenated owned output.
 * Returns the stitched signal and the packets that went into the stitcher.
 */
export async function chunkStageStitch(input: {
  signal: Float32Array;
  geometry: ChunkGeometry;
  sampleRate: number;
  stage: WindowStage;
  fade?: SeamFade;
  cuts?: readonly number[];
}): Promise<{ output: Float32Array; chunks: AudioPacket[] }> {
  const { signal, geometry, sampleRate } = input;
  const plan = planChunks(geometry, signal.length, input.cuts);
  const options = { geometry, clipId: 'clip', sampleRate, channels: 1 };
  const chunks = plan.map((p) => {
    const packet = audioPacketFromWindow({ plan: p, data: extractWindow(signal, 1, p) }, options);
    return { ...packet, data: input.stage(packet.data) };
  });
  const stitched = await lastValueFrom(
    from(chunks).pipe(stitchAudio({ overlapSeconds: geometry.overlapUnits / sampleRate, fade: input.fade }), toArray()),
  );
  return { output: concatAll(stitched.map((p) => p.data)), chunks };
}
