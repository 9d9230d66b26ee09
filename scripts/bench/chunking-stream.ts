/**
 * Chunking throughput and memory on long streams: a clip of N minutes of 16 kHz mono noise is
 * decoded-as-blocks → chunkAudioStream, and the chunks joined back are checked to be the input,
 * sample-exact. Reports wall time, real-time factor and RSS growth, for a plain grid (5 s chunks)
 * and RVC's settings (38 s chunks, ±6 s silence search).
 *
 *   npx tsx scripts/bench/chunking-stream.ts [minutes=60]
 */
import { chunkAudioStream, chunkGeometry, type ChunkGeometry } from '../../src/chunking/index.ts';

const RATE = 16000;
const BLOCK = 4096; // what an ffmpeg f32le pipe hands over at a time (16 KiB)
const minutes = Number(process.argv[2] ?? 60);

/** A deterministic, non-repeating test signal, produced block by block (never held whole). */
function* source(total: number): Generator<Float32Array> {
  let seed = 1;
  for (let at = 0; at < total; at += BLOCK) {
    const block = new Float32Array(Math.min(BLOCK, total - at));
    for (let i = 0; i < block.length; i++) {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      block[i] = (seed / 2 ** 32 - 0.5) * (0.2 + 0.8 * Math.abs(Math.sin((at + i) / 24000)));
    }
    yield block;
  }
}

async function run(name: string, geometry: ChunkGeometry): Promise<void> {
  const total = Math.round(minutes * 60 * RATE);
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  let chunks = 0;
  let mismatches = 0;
  const reference = source(total);
  let refBlock = new Float32Array(0);
  let refAt = 0;
  const started = performance.now();
  // Chunks are compared as they come and dropped: the chunker alone bounds the memory.
  let outLength = 0;
  for await (const p of chunkAudioStream(source(total), { geometry, clipId: name, sampleRate: RATE, channels: 1 })) {
    chunks++;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    for (let i = 0; i < p.data.length; i++) {
      if (refAt === refBlock.length) {
        refBlock = reference.next().value ?? new Float32Array(0);
        refAt = 0;
      }
      if (p.data[i] !== refBlock[refAt++]) mismatches++;
    }
    outLength += p.data.length;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      case: `${name} (chunk + join)`,
      clipMinutes: minutes,
      chunks,
      maxChunkSamples: geometry.maxChunkUnits,
      outSamples: outLength,
      expectedSamples: total,
      mismatches,
      wallSeconds: +seconds.toFixed(2),
      realTimeFactor: +(seconds / (minutes * 60)).toExponential(2),
      peakRssGrowthMB: +((peakRss - rssBefore) / 2 ** 20).toFixed(1),
    }),
  );
}

async function chunkerOnly(name: string, geometry: ChunkGeometry): Promise<void> {
  const total = Math.round(minutes * 60 * RATE);
  const started = performance.now();
  let chunks = 0;
  let owned = 0;
  for await (const p of chunkAudioStream(source(total), { geometry, clipId: name, sampleRate: RATE, channels: 1 })) {
    chunks++;
    owned += Math.round((p.chunk.end - p.chunk.start) * RATE);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({ case: `${name} (chunker only)`, chunks, ownedSamples: owned, wallSeconds: +seconds.toFixed(2) }),
  );
}

const grid = chunkGeometry({ chunkUnits: 5 * RATE });
const rvc = chunkGeometry({ chunkUnits: 38 * RATE, searchUnits: 6 * RATE });
await chunkerOnly('grid 5 s', grid);
await chunkerOnly('rvc 38 s ±6 s silence', rvc);
await run('grid 5 s', grid);
await run('rvc 38 s ±6 s silence', rvc);
