/**
 * Bounded memory, measured: a 10-minute and a 1-minute synthetic input (1 s chunks of f32 PCM,
 * by default at 96 kHz mono — the bytes of 48 kHz stereo) through a slow pipeline (a worker
 * stage, then a main-thread stage), each run in a fresh process; compares their peak RSS.
 * Memory must depend on chunk size × queue depths only.
 *
 * Peak RSS also holds dead chunk buffers that V8 has not collected yet: it collects them when
 * external memory has grown by tens of MB, so a run that allocates less than that in total never
 * reaches the plateau. Compare clip lengths (`--minutes 1,5,10,20`) to see the plateau itself.
 *
 *   node --import tsx scripts/bench/runtime-rss.ts [--minutes 1,10] [--spin-ms 5] [--rate 96000] [--in-process]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../../test/fixtures/stages/collect-sink.ts';
import { counterSource } from '../../test/fixtures/stages/counter-source.ts';
import { delayStage } from '../../test/fixtures/stages/delay-stage.ts';
import { testGraph } from '../../test/fixtures/stages/graph.ts';
import { spinStage } from '../../test/fixtures/stages/spin-stage.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '1,10' },
    'spin-ms': { type: 'string', default: '5' },
    rate: { type: 'string', default: '96000' },
    'in-process': { type: 'boolean', default: false },
    child: { type: 'string' },
  },
});

if (values.child) {
  const seconds = Number(values.child) * 60;
  const graph = testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks: seconds, chunkSeconds: 1, sampleRate: Number(values.rate) } },
      infer: { def: spinStage, options: { spinMs: Number(values['spin-ms']) } },
      post: { def: delayStage, options: { delayMs: 1 } },
      sink: { def: collectSink, binding: 'out' },
    },
    edges: ['src.audio -> infer.in', 'infer.out -> post.in', 'post.out -> sink.in'],
  });
  const result = await runPipeline(graph, {
    outDir: await mkdtemp(join(tmpdir(), 'reel-rss-')),
    workers: !values['in-process'],
  });
  process.stdout.write(
    JSON.stringify({
      minutes: Number(values.child),
      wallMs: result.metrics.wallMs,
      peakRssBytes: result.metrics.peakRssBytes,
      maxRssKb: process.resourceUsage().maxRSS,
    }),
  );
} else {
  const self = fileURLToPath(import.meta.url);
  const runs = values.minutes.split(',').map((m) => {
    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        self,
        '--child',
        m,
        '--spin-ms',
        values['spin-ms'],
        '--rate',
        values.rate,
        ...(values['in-process'] ? ['--in-process'] : []),
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(out) as { minutes: number; wallMs: number; peakRssBytes: number; maxRssKb: number };
  });
  for (const run of runs) {
    console.log(
      `${String(run.minutes).padStart(3)} min input: wall ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${(run.maxRssKb / 1024).toFixed(1)} MiB (sampled ${(run.peakRssBytes / 2 ** 20).toFixed(1)} MiB)`,
    );
  }
  const [short, long] = [runs[0], runs[runs.length - 1]];
  console.log(
    `peak RSS ratio ${long.minutes} min / ${short.minutes} min: ${(long.maxRssKb / short.maxRssKb).toFixed(3)}`,
  );
}
