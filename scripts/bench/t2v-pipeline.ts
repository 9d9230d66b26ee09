/**
 * The text-to-video stages end to end through the runtime: pipelines/text-to-video.yaml (17
 * frames, 256 × 160) on the reference models, stages in worker threads as `reel run` has them,
 * per profile — wall time, time to the first decoded chunk at the sink, per-stage busy time, peak
 * RSS. The media I/O is the test fixtures' (text file in, raw frames out) until the media sources
 * and sinks land, so ffmpeg encoding is not part of these figures.
 *
 *   npx tsx scripts/bench/t2v-pipeline.ts [--profiles quality,fast] [--repeat 2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTextToVideo } from '../../test/stages/text-to-video/pipeline-run.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const profiles = arg('profiles', 'quality,fast').split(',');
const repeat = Number(arg('repeat', '2'));

// A private cache: the first repeat encodes the prompt, later ones hit the cache.
const cacheDir = await mkdtemp(join(tmpdir(), 'reel-t2v-bench-cache-'));
process.env.REEL_CACHE_DIR = cacheDir;
try {
  for (const profile of profiles) {
    for (let r = 0; r < repeat; r++) {
      const started = performance.now();
      let firstChunkMs: number | undefined;
      const run = await runTextToVideo(
        'A lighthouse in a storm at night.',
        { profile },
        {
          workers: true,
          onEvent: (e) => {
            if (e.type === 'chunk' && e.stage === 'video' && firstChunkMs === undefined)
              firstChunkMs = performance.now() - started;
          },
        },
      );
      const { metrics } = run.result;
      const busy = metrics.stages.map((s) => `${s.stage} ${s.busyMs.toFixed(0)}`).join(', ');
      const cached = run.logs.some((l) => l.line.includes('from cache')) ? 'cached' : 'encoded';
      console.log(
        `${profile} #${r + 1} (${cached}): wall ${metrics.wallMs.toFixed(0)} ms, first chunk at sink ${firstChunkMs?.toFixed(0)} ms, ` +
          `busy ms [${busy}], peak RSS ${(metrics.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${run.packets.length} chunks / ${run.frames.length / (256 * 160 * 3)} frames`,
      );
    }
  }
} finally {
  await rm(cacheDir, { recursive: true, force: true });
}
