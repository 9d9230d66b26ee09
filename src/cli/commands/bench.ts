/**
 * `reel bench <pipeline.yaml> --input NAME=PATH... [--clip-seconds 5,10,30] [--repeat N]
 *   [--mode pipelined,sequential] [--csv FILE] [--html FILE]`
 * Runs the pipeline at each clip length (audio and video inputs looped and cut to it; text and
 * images as given), in each mode, each run in a fresh process so peak RSS is its own; reports
 * wall time, real-time factor, throughput, peak RSS and per-stage busy time, and writes CSV and an
 * HTML page with the stages' timelines.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ReelError, UsageError } from '../../core/errors.ts';
import { loopClip } from '../../media/loop-clip.ts';
import { benchCsv, benchHtml, benchRows, type BenchRun } from '../../metrics/bench-report.ts';
import type { RunMetrics } from '../../metrics/stage-metrics.ts';
import type { TraceEvent } from '../../metrics/trace.ts';
import type { CliIo } from '../io.ts';
import { loadGraph } from '../pipeline.ts';
import { bindInputs } from './run.ts';

export interface BenchFlags {
  input?: string[];
  clipSeconds: string;
  repeat: string;
  mode: string;
  csv?: string;
  html?: string;
  set?: string[];
  profile?: string;
}

const REEL_BIN = fileURLToPath(new URL('../../../bin/reel.js', import.meta.url));

function parseList<T>(flag: string, text: string, parse: (s: string) => T | undefined, expected: string): T[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = values.map(parse);
  const bad = values.filter((_, i) => parsed[i] === undefined);
  if (values.length === 0 || bad.length)
    throw new UsageError(`${flag} ${text}: expected ${expected}, e.g. ${flag} 5,10,30`);
  return parsed as T[];
}

export async function benchCommand(file: string, flags: BenchFlags, io: CliIo): Promise<number> {
  const clipLengths = parseList(
    '--clip-seconds',
    flags.clipSeconds,
    (s) => (Number(s) > 0 ? Number(s) : undefined),
    'positive seconds',
  );
  const modes = parseList(
    '--mode',
    flags.mode,
    (s) => (s === 'pipelined' || s === 'sequential' ? s : undefined),
    'pipelined and/or sequential',
  );
  const repeat = Number(flags.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new UsageError(`--repeat ${flags.repeat}: expected a whole number ≥ 1`);
  const { graph } = await loadGraph(file, { profile: flags.profile, set: flags.set });
  const inputs = await bindInputs(graph, flags.input ?? []);
  const work = await mkdtemp(path.join(os.tmpdir(), 'reel-bench-'));
  const runs: BenchRun[] = [];
  try {
    for (const seconds of clipLengths) {
      const bound: Record<string, string> = {};
      for (const [name, source] of Object.entries(inputs)) {
        const kind = graph.nodes.get(name)?.kind;
        if (kind === 'audio-source' || kind === 'video-source') {
          const clip = path.join(work, `${name}-${seconds}s.${kind === 'audio-source' ? 'wav' : 'mp4'}`);
          await loopClip(source, seconds, clip, kind === 'audio-source' ? 'audio' : 'video');
          bound[name] = clip;
        } else {
          bound[name] = source;
        }
      }
      for (const mode of modes) {
        for (let r = 1; r <= repeat; r++) {
          const run = await runOnce(file, flags, bound, mode, path.join(work, `${seconds}-${mode}-${r}`));
          runs.push({ clipSeconds: seconds, mode, repeat: r, ...run });
          const row = benchRows([runs.at(-1)!])[0];
          io.out(
            `${String(seconds).padStart(6)} s  ${mode.padEnd(10)} #${r}  wall ${row.wall_s} s (start-up ${row.startup_s} s)  RTF ${row.rtf}  peak RSS ${row.peak_rss_mib} MiB`,
          );
        }
      }
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  if (flags.csv) await writeFile(flags.csv, benchCsv(runs));
  if (flags.html) await writeFile(flags.html, benchHtml(graph.name, runs));
  return 0;
}

/** One `reel run` in a child process (its own heap and RSS); returns its metrics and trace. */
async function runOnce(
  file: string,
  flags: BenchFlags,
  inputs: Record<string, string>,
  mode: string,
  dir: string,
): Promise<{ metrics: RunMetrics; trace: TraceEvent[] }> {
  const metricsFile = `${dir}.metrics.json`;
  const traceFile = `${dir}.trace.json`;
  const args = [
    REEL_BIN,
    'run',
    file,
    '--out',
    dir,
    '--mode',
    mode,
    '--metrics',
    metricsFile,
    '--trace',
    traceFile,
    ...Object.entries(inputs).flatMap(([k, v]) => ['--input', `${k}=${v}`]),
    ...(flags.profile ? ['--profile', flags.profile] : []),
    ...(flags.set ?? []).flatMap((s) => ['--set', s]),
  ];
  const stderr: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    const last =
      stderr
        .join('')
        .trim()
        .split('\n')
        .filter((l) => !/provider/.test(l))
        .pop() ?? `exit ${code}`;
    throw new ReelError(`bench run (${mode}) failed: ${last}`);
  }
  const metrics = JSON.parse(await readFile(metricsFile, 'utf8')) as RunMetrics;
  const trace = (JSON.parse(await readFile(traceFile, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  return { metrics, trace };
}
