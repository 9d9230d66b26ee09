/**
 * Bench: does memory stay flat with clip length? Runs the audio-copy pipeline (audio-source →
 * wav-sink, 10 s chunks, silence search) over a 1-minute and a 10-minute 44.1 kHz stereo file,
 * each in a fresh Node process, and reports peak RSS (the runtime's own sampling) and wall time.
 * A ratio near 1 means peak memory depends on chunk size, not on clip length.
 *
 *   node --import tsx scripts/bench/media-pipeline-rss.ts [--minutes 1,10]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGraph } from '../../src/cli/pipeline.ts';
import { resolveFfmpeg } from '../../src/media/binaries.ts';
import { runPipeline } from '../../src/runtime/index.ts';

const PIPELINE = fileURLToPath(new URL('../../test/fixtures/pipelines/media/audio-copy.yaml', import.meta.url));

interface ChildResult {
  minutes: number;
  peakRssMiB: number;
  wallSeconds: number;
  outputMiB: number;
}

/** In the child: one run, its figures as one JSON line on stdout. */
async function child(input: string, outDir: string, minutes: number): Promise<void> {
  const { graph } = await loadGraph(PIPELINE);
  const started = performance.now();
  const result = await runPipeline(graph, { inputs: { voice: input }, outDir });
  const out: ChildResult = {
    minutes,
    peakRssMiB: result.metrics.peakRssBytes / 2 ** 20,
    wallSeconds: (performance.now() - started) / 1000,
    outputMiB: statSync(result.files.copy[0]).size / 2 ** 20,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function makeInput(dir: string, minutes: number): string {
  const file = join(dir, `tone-${minutes}min.wav`);
  const seconds = minutes * 60;
  // A tone that pauses every 7 s, so the silence search has real quiet points to find.
  const r = spawnSync(resolveFfmpeg().ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=330:sample_rate=44100:duration=${seconds}`,
    '-af',
    "volume=enable='lt(mod(t,7),0.2)':volume=0",
    '-ac',
    '2',
    file,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg could not make ${file}: ${r.stderr}`);
  return file;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2], Number(args[3]));
  const at = args.indexOf('--minutes');
  const lengths = (at >= 0 ? args[at + 1] : '1,10').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'reel-bench-media-'));
  try {
    const results: ChildResult[] = [];
    for (const minutes of lengths) {
      const input = makeInput(dir, minutes);
      const outDir = join(dir, `out-${minutes}`);
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', input, outDir, String(minutes)],
        {
          encoding: 'utf8',
        },
      );
      if (run.status !== 0) throw new Error(`the ${minutes}-minute run failed: ${run.stderr}`);
      results.push(JSON.parse(run.stdout.trim().split('\n').at(-1)!) as ChildResult);
      rmSync(input);
    }
    console.log('minutes  peak RSS MiB  wall s  real-time factor  output MiB');
    for (const r of results) {
      console.log(
        `${String(r.minutes).padStart(7)}  ${r.peakRssMiB.toFixed(1).padStart(12)}  ${r.wallSeconds.toFixed(2).padStart(6)}  ` +
          `${(r.wallSeconds / (r.minutes * 60)).toFixed(4).padStart(16)}  ${r.outputMiB.toFixed(1).padStart(10)}`,
      );
    }
    if (results.length >= 2) {
      const [first, last] = [results[0], results.at(-1)!];
      console.log(
        `peak RSS ratio ${last.minutes} min / ${first.minutes} min: ${(last.peakRssMiB / first.peakRssMiB).toFixed(3)}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
