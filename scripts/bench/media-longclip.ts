/**
 * Long-clip media benchmark: decode a generated N-minute audio file through reel's pulled
 * decoder and re-encode it to WAV through reel's writer, in a fresh process per run, and report
 * peak RSS (against a 1-minute file: it must not grow with length) and throughput (against a
 * plain `ffmpeg -i in -f f32le pipe:1` drained by Node, which does no work with the samples).
 *
 *   npx tsx scripts/bench/media-longclip.ts [--minutes 1,10] [--hour] [--keep]
 *
 * Source: 44.1 kHz stereo s16 WAV (a sine sweep from lavfi); decoded to 16 kHz mono f32 (a speech
 * stage's input), written back as s16 WAV. Prints a table and one JSON line.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveFfmpeg } from '../../src/media/binaries.ts';
import { decodeAudio } from '../../src/media/decodeAudio.ts';
import { writeWav } from '../../src/media/wavWriter.ts';

const OUT_RATE = 16000;

interface RunResult {
  ms: number;
  samples: number;
  maxRssMB: number;
}

/** In the child: one measured run. */
async function child(mode: string, input: string, output: string): Promise<void> {
  const t0 = performance.now();
  let samples = 0;
  if (mode === 'reel') {
    const { frames } = await writeWav(
      output,
      decodeAudio(input, { sampleRate: OUT_RATE, channels: 1, blockSamples: 16384 }),
      {
        sampleRate: OUT_RATE,
        channels: 1,
      },
    );
    samples = frames;
  } else if (mode === 'reel-decode') {
    for await (const block of decodeAudio(input, { sampleRate: OUT_RATE, channels: 1, blockSamples: 16384 }))
      samples += block.length;
  } else {
    const ff = spawn(
      resolveFfmpeg().ffmpeg,
      ['-nostdin', '-loglevel', 'error', '-i', input, '-ac', '1', '-ar', String(OUT_RATE), '-f', 'f32le', 'pipe:1'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let bytes = 0;
    for await (const chunk of ff.stdout as AsyncIterable<Buffer>) bytes += chunk.length;
    samples = bytes / 4;
  }
  const ms = performance.now() - t0;
  const result: RunResult = { ms, samples, maxRssMB: process.resourceUsage().maxRSS / 1024 };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(mode: string, input: string, output: string): RunResult {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--child', mode, input, output],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as RunResult;
}

function generate(file: string, minutes: number): void {
  const seconds = minutes * 60;
  const r = spawnSync(resolveFfmpeg().ffmpeg, [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=0.5*sin(2*PI*(200+100*sin(t/7))*t)|0.5*sin(2*PI*330*t):s=44100:d=${seconds}`,
    '-c:a',
    'pcm_s16le',
    file,
  ]);
  if (r.status !== 0) throw new Error(`generating ${file} failed: ${r.stderr}`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], args[2], args[3]);
  const minutesArg = args.includes('--minutes') ? args[args.indexOf('--minutes') + 1] : '1,10';
  const minutes = minutesArg.split(',').map(Number);
  if (args.includes('--hour')) minutes.push(60);
  const dir = mkdtempSync(join(tmpdir(), 'reel-bench-media-'));
  const rows: Record<string, unknown>[] = [];
  try {
    for (const m of minutes) {
      const input = join(dir, `in-${m}min.wav`);
      const t0 = performance.now();
      generate(input, m);
      const genS = (performance.now() - t0) / 1000;
      const output = join(dir, `out-${m}min.wav`);
      const plain = runChild('plain', input, output);
      const decode = runChild('reel-decode', input, output);
      const reel = runChild('reel', input, output);
      const expected = m * 60 * OUT_RATE;
      rows.push({
        minutes: m,
        inputMB: +(statSync(input).size / 2 ** 20).toFixed(1),
        generateS: +genS.toFixed(1),
        samplesOk: plain.samples === expected && decode.samples === expected && reel.samples === expected,
        plainS: +(plain.ms / 1000).toFixed(2),
        decodeS: +(decode.ms / 1000).toFixed(2),
        decodeWavS: +(reel.ms / 1000).toFixed(2),
        realtimeX: +((m * 60) / (reel.ms / 1000)).toFixed(0),
        decodeVsPlain: +(decode.ms / plain.ms).toFixed(2),
        plainRssMB: +plain.maxRssMB.toFixed(0),
        decodeRssMB: +decode.maxRssMB.toFixed(0),
        decodeWavRssMB: +reel.maxRssMB.toFixed(0),
        outputMB: +(statSync(output).size / 2 ** 20).toFixed(1),
      });
      rmSync(input);
      rmSync(output);
    }
  } finally {
    if (!args.includes('--keep')) rmSync(dir, { recursive: true, force: true });
  }
  console.table(rows);
  console.log(JSON.stringify({ bench: 'media-longclip', rows }));
}

await main();
