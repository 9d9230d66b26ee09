import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.ts';
import type { AudioPacket } from '../../src/core/types.ts';
import {
  chunkAudioStream,
  chunkGeometry,
  planChunks,
  Rechunker,
  silenceCuts,
  type ChunkGeometry,
} from '../../src/chunking/index.ts';
import { concatAll, maxAbsDiff, noise, randInt, rng } from './helpers.ts';

/** Cut `signal` into blocks of random sizes (whole frames), like an ffmpeg pipe does. */
function* blocksOf(
  signal: Float32Array,
  channels: number,
  r: () => number,
  maxFrames: number,
): Generator<Float32Array> {
  for (let at = 0; at < signal.length; ) {
    const n = Math.min(signal.length - at, randInt(r, 1, maxFrames) * channels);
    yield signal.slice(at, at + n);
    at += n;
  }
}

async function collect(stream: AsyncIterable<AudioPacket>): Promise<AudioPacket[]> {
  const out: AudioPacket[] = [];
  for await (const p of stream) out.push(p);
  return out;
}

describe('chunkAudioStream', () => {
  it('emits exactly the offline plan, samples and all, whatever the block sizes', async () => {
    const r = rng(31);
    for (let trial = 0; trial < 40; trial++) {
      const channels = randInt(r, 1, 2);
      const g = [1, 1, 160][randInt(r, 0, 2)];
      const chunkUnits = randInt(r, 4, 30) * g;
      const searchUnits = r() < 0.5 ? 0 : Math.floor(randInt(r, 0, chunkUnits / 3) / g) * g;
      const geometry = chunkGeometry({ chunkUnits, searchUnits, granularityUnits: g });
      const signal = noise(r, randInt(r, 0, 40 * chunkUnits) * channels);
      const total = signal.length / channels;
      const cuts = searchUnits > 0 ? silenceCuts(geometry, signal, channels) : undefined;
      const plan = planChunks(geometry, total, cuts);

      const options = { geometry, clipId: 'a', sampleRate: 16000, channels };
      const packets = await collect(chunkAudioStream(blocksOf(signal, channels, r, 3 * chunkUnits), options));
      expect(packets.map((p) => [p.startSample, p.chunk.last])).toEqual(plan.map((c) => [c.start, c.last]));
      packets.forEach((p, i) => {
        expect(p.chunk.index).toBe(i);
        expect(p.chunk.start).toBe(plan[i].start / 16000);
        expect(p.chunk.end).toBe(plan[i].end / 16000);
        expect(maxAbsDiff(p.data, signal.subarray(plan[i].start * channels, plan[i].end * channels))).toBe(0);
        expect(p.data.length).toBe((plan[i].end - plan[i].start) * channels);
      });
      // Context-free chunks: joined, they are the input, exactly.
      const joined = concatAll(packets.map((p) => p.data));
      expect(joined.length).toBe(signal.length);
      expect(maxAbsDiff(joined, signal)).toBe(0);
    }
  });

  it('keeps the reach of the silence window when the search is wide', async () => {
    const r = rng(77);
    // Chunks of 100 with ±45 search and a 160-wide measure: the search of the next cut reaches back
    // past the current chunk's start, so the chunker must keep units no chunk needs.
    const geometry = chunkGeometry({ chunkUnits: 100, searchUnits: 45 });
    const signal = noise(r, 5000);
    const plan = planChunks(geometry, signal.length, silenceCuts(geometry, signal, 1));
    for (const maxBlock of [1, 7, 64, 999]) {
      const options = { geometry, clipId: 'a', sampleRate: 1000, channels: 1 };
      const packets = await collect(chunkAudioStream(blocksOf(signal, 1, r, maxBlock), options));
      expect(packets.map((p) => p.chunk.end * 1000)).toEqual(plan.map((c) => c.end));
    }
  });

  it('flags the last chunk when the stream ends on a boundary, and yields nothing for an empty one', async () => {
    const geometry = chunkGeometry({ chunkUnits: 100 });
    const options = { geometry, clipId: 'a', sampleRate: 100, channels: 1 };
    const packets = await collect(chunkAudioStream([new Float32Array(150), new Float32Array(150)], options));
    expect(packets.map((p) => [p.chunk.start, p.chunk.end, p.chunk.last])).toEqual([
      [0, 1, false],
      [1, 2, false],
      [2, 3, true],
    ]);
    expect(await collect(chunkAudioStream([], options))).toEqual([]);
    expect(await collect(chunkAudioStream([new Float32Array(0)], options))).toEqual([]);
  });

  it('puts chunks in shared memory when asked, with the same samples and cuts', async () => {
    const signal = noise(rng(7), 1000);
    const geometry = chunkGeometry({ chunkUnits: 300, searchUnits: 40 });
    const options = { geometry, clipId: 'a', sampleRate: 100, channels: 1 };
    const plain = await collect(chunkAudioStream([signal.slice(0, 450), signal.slice(450)], options));
    const shared = await collect(
      chunkAudioStream([signal.slice(0, 450), signal.slice(450)], { ...options, shared: true }),
    );
    expect(shared.map((p) => p.chunk)).toEqual(plain.map((p) => p.chunk));
    for (const [i, p] of shared.entries()) {
      expect(p.data.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(Array.from(p.data)).toEqual(Array.from(plain[i].data));
    }
    expect(plain[0].data.buffer).toBeInstanceOf(ArrayBuffer);
  });

  it('holds at most one chunk + the silence lookahead + one block over a 10-minute stream', () => {
    const rate = 16000;
    const cases: [ChunkGeometry, number][] = [
      [chunkGeometry({ chunkUnits: 5 * rate }), 4096],
      [chunkGeometry({ chunkUnits: 10 * rate, searchUnits: 2 * rate }), 1024],
      [chunkGeometry({ chunkUnits: 3 * rate, granularityUnits: 320 }), 48000],
    ];
    const block = noise(rng(2), 48000);
    for (const [geometry, blockUnits] of cases) {
      const rechunker = new Rechunker(geometry, 1);
      let owned = 0;
      let chunks = 0;
      const take = (slices: ReturnType<Rechunker['end']>) => {
        for (const s of slices) {
          owned += s.plan.end - s.plan.start;
          chunks++;
        }
      };
      const totalUnits = 600 * rate + 123;
      for (let at = 0; at < totalUnits; at += blockUnits)
        take(rechunker.push(block.subarray(0, Math.min(blockUnits, totalUnits - at))));
      take(rechunker.end());
      expect(owned).toBe(totalUnits);
      expect(chunks).toBeGreaterThan(55);
      const bound = geometry.maxChunkUnits + geometry.silenceWindowUnits + geometry.granularityUnits + blockUnits;
      expect(rechunker.peakHeldUnits).toBeLessThanOrEqual(bound);
    }
  });

  it('rejects a block that is not whole frames, naming the clip', async () => {
    const geometry = chunkGeometry({ chunkUnits: 100 });
    const stream = () =>
      chunkAudioStream([new Float32Array(3)], { geometry, clipId: 'song', sampleRate: 100, channels: 2 });
    await expect(collect(stream())).rejects.toThrow(InputError);
    await expect(collect(stream())).rejects.toThrow(/clip "song".*2-channel/);
  });
});
