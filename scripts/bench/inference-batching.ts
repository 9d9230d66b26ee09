/**
 * Dynamic batching throughput: many concurrent clips each send small chunks to one stage session
 * (one video frame of Wav2Lip, or a few mel frames of HiFi-GAN); batch.max 8 vs 1. Reports
 * items/s and checks that batched results equal unbatched ones.
 *   npx tsx scripts/bench/inference-batching.ts [--family wav2lip|hifigan] [--scale tiny|medium]
 *     [--clips 16] [--items 24] [--frames 8] [--threads 1]
 */
import * as ort from 'onnxruntime-node';
import { ensureReferenceModel } from '../../models/reference.ts';
import type { TensorData } from '../../src/core/types.ts';
import { DynamicBatcher } from '../../src/inference/batcher.ts';
import { concatBatch, splitBatch } from '../../src/inference/tensor-batch.ts';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const scale = arg('scale', 'medium') as 'tiny' | 'medium';
const clips = Number(arg('clips', '16'));
const itemsPerClip = Number(arg('items', '24'));
const family = arg('family', 'wav2lip') as 'wav2lip' | 'hifigan';
const melFrames = Number(arg('frames', '8'));
const threads = Number(arg('threads', '1'));

type Item = Record<string, TensorData>;
const wave = (n: number, clip: number, i: number) =>
  Float32Array.from({ length: n }, (_, k) => Math.sin((k + i) * 0.01 * (clip + 1)));
const item = (clip: number, i: number): Item =>
  family === 'hifigan'
    ? { spec: { dtype: 'float32', dims: [1, 80, melFrames], data: wave(80 * melFrames, clip, i) } }
    : {
        mel_spectrogram: { dtype: 'float32', dims: [1, 1, 80, 16], data: wave(1280, clip, i) },
        video_frames: {
          dtype: 'float32',
          dims: [1, 6, 96, 96],
          data: Float32Array.from({ length: 6 * 9216 }, (_, k) => ((k * (clip + 3) + i) % 101) / 101),
        },
      };
const outputName = family === 'hifigan' ? 'audio' : 'output';

const session = await ort.InferenceSession.create(await ensureReferenceModel(family, scale), {
  logSeverityLevel: 3,
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  extra: { session: { intra_op: { allow_spinning: '0' } } },
});
const runBatch = async (items: Item[]): Promise<TensorData[]> => {
  const feeds = Object.fromEntries(
    Object.keys(items[0]).map((name) => {
      const t = concatBatch(items.map((x) => x[name]));
      return [name, new ort.Tensor('float32', t.data as Float32Array, t.dims)];
    }),
  );
  const out = (await session.run(feeds))[outputName];
  return splitBatch(
    { dtype: 'float32', dims: out.dims, data: out.data as Float32Array },
    items.map(() => 1),
  );
};

async function measure(max: number): Promise<{ seconds: number; results: TensorData[][]; batches: number[] }> {
  const batches: number[] = [];
  const batcher = new DynamicBatcher<Item, TensorData>({
    max,
    delayMs: 5,
    run: runBatch,
    onBatch: (n) => batches.push(n),
  });
  const started = performance.now();
  // Each clip sends its chunks one after another (a stage sees a clip's chunks in order).
  const results = await Promise.all(
    Array.from({ length: clips }, async (_, c) => {
      const out: TensorData[] = [];
      for (let i = 0; i < itemsPerClip; i++) out.push(await batcher.submit(item(c, i)));
      return out;
    }),
  );
  return { seconds: (performance.now() - started) / 1000, results, batches };
}

await measure(1); // warm-up
const one = await measure(1);
const eight = await measure(8);
let maxDiff = 0;
one.results.forEach((clip, c) =>
  clip.forEach((t, i) => {
    const a = t.data as Float32Array;
    const b = eight.results[c][i].data as Float32Array;
    for (let k = 0; k < a.length; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
  }),
);
const n = clips * itemsPerClip;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
console.log(
  `${family} ${scale}, ${clips} clips × ${itemsPerClip} items${family === 'hifigan' ? ` of ${melFrames} mel frames` : ' (video frames)'}, ${threads} intra-op thread(s)`,
);
console.log(`batch.max 1: ${(n / one.seconds).toFixed(1)} items/s (${one.seconds.toFixed(2)} s)`);
console.log(
  `batch.max 8: ${(n / eight.seconds).toFixed(1)} items/s (${eight.seconds.toFixed(2)} s), mean batch ${mean(eight.batches).toFixed(2)}`,
);
console.log(
  `speed-up ${(one.seconds / eight.seconds).toFixed(2)}×, max |batched − unbatched| = ${maxDiff.toExponential(2)}`,
);
await session.release();
