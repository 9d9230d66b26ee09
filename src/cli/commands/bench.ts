/**
 * `reel bench <pipeline.yaml> --input NAME=PATH... [--clip-seconds 5,10,30] [--repeat N]
 *   [--mode pipelined,sequential] [--csv FILE] [--html FILE]`
 * Runs the pipeline at each clip length (audio and video inputs looped and cut to it; text and
 * images as given), in each mode, each run in a fresh process so peak RSS is its own; reports
 * wall time, real-time factor, throughput, peak RSS and per-stage busy time, and writes CSV and an
 * HTML report (environment, wall ÷ clip length against the bound, timelines, per-stage breakdown).
 * The output files' folders are checked before the first run, so a typo does not cost the bench.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../core/project-root.ts';
import { ConfigError, ReelError, UsageError } from '../../core/errors.ts';
import { loopClip } from '../../media/loop-clip.ts';
import { benchEnvironment } from '../../metrics/bench-environment.ts';
import { benchCsv, benchHtml, benchRows, type BenchRun } from '../../metrics/bench-report.ts';
import type { RunMetrics } from '../../metrics/stage-metrics.ts';
import type { TraceEvent } from '../../metrics/trace.ts';
import type { PipelineGraph } from '../../graph/types.ts';
import { suggestion } from '../../config/did-you-mean.ts';
import { benchProgress, type BenchProgress } from '../bench-progress.ts';
import {
  comparePrecisions,
  precisionCsv,
  precisionHtml,
  precisionLines,
  type PrecisionRow,
} from '../../precision/precision-table.ts';
import { recordFeeds } from '../../precision/record-feeds.ts';
import { interruptible } from '../interruptible.ts';
import type { CliIo } from '../io.ts';
import { writePlanIssues } from '../write-plan.ts';
import { loadGraph } from '../pipeline.ts';
import { bindInputs, parseCores } from './run.ts';
import { REMEMBER_ENV } from '../../runtime/cost-memory.ts';

export interface BenchFlags {
  input?: string[];
  clipSeconds: string;
  repeat: string;
  mode: string;
  csv?: string;
  html?: string;
  set?: string[];
  /** `--kinds FILE`: modules of stage kinds of the user's own. */
  kinds?: string[];
  profile?: string;
  cores?: string;
  /** Also compare each model's FP16 and INT8 variants with float32 on the stages' recorded feeds. */
  comparePrecision?: boolean;
}

const REEL_BIN = path.join(PROJECT_ROOT, 'bin', 'reel.js');

/**
 * A comma list of values. A bad value is named with the nearest of `choices` where the flag has
 * fixed values (`--mode sequental` → "sequential"), else with `example`.
 */
function parseList<T>(
  flag: string,
  text: string,
  parse: (s: string) => T | undefined,
  expected: string,
  example: { choices: readonly string[] } | { example: string },
): T[] {
  const values = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = values.map(parse);
  const bad = values.filter((_, i) => parsed[i] === undefined);
  if (values.length === 0 || bad.length) {
    const hint =
      'choices' in example && bad.length > 0
        ? suggestion(bad[0]!, example.choices)
        : `, e.g. ${flag} ${'example' in example ? example.example : example.choices.join(',')}`;
    throw new UsageError(`${flag} ${text}: expected ${expected}${hint}`);
  }
  return parsed as T[];
}

/** Longest clip a bench makes, seconds: each is written to the temporary disk first. */
const MAX_BENCH_CLIP_SECONDS = 3600;

export async function benchCommand(file: string, flags: BenchFlags, io: CliIo): Promise<number> {
  const clipLengths = parseList(
    '--clip-seconds',
    flags.clipSeconds,
    (s) => (Number(s) > 0 && Number(s) <= MAX_BENCH_CLIP_SECONDS ? Number(s) : undefined),
    `seconds above 0, at most ${MAX_BENCH_CLIP_SECONDS} (the inputs are looped to each length on the temporary disk)`,
    { example: '5,10,30' },
  );
  const modes = parseList(
    '--mode',
    flags.mode,
    (s) => (s === 'pipelined' || s === 'sequential' ? s : undefined),
    'pipelined and/or sequential',
    { choices: ['pipelined', 'sequential'] },
  );
  const repeat = Number(flags.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new UsageError(`--repeat ${flags.repeat}: expected a whole number ≥ 1`);
  parseCores(flags.cores); // a wrong --cores is a usage error now, not in every child run
  const { graph } = await loadGraph(file, { profile: flags.profile, set: flags.set, kinds: flags.kinds });
  const inputs = await bindInputs(graph, flags.input ?? []);
  // The reports are written at the end: what they would replace is refused now, before any run.
  const reports = [
    ...(flags.csv ? [{ what: '--csv', file: flags.csv }] : []),
    ...(flags.csv && flags.comparePrecision ? [{ what: 'the precision CSV', file: precisionCsvPath(flags.csv) }] : []),
    ...(flags.html ? [{ what: '--html', file: flags.html }] : []),
  ];
  const clashes = await writePlanIssues(reports, [], inputs);
  if (clashes.length > 0) throw new ConfigError(clashes);
  const work = await mkdtemp(path.join(os.tmpdir(), 'reel-bench-'));
  const runs: BenchRun[] = [];
  let precision: PrecisionRow[] | undefined;
  const shortest = Math.min(...clipLengths);
  const count = clipLengths.length * modes.length * repeat;
  // Redrawn in place only where a person watches: both streams on a terminal.
  const progress = benchProgress(Boolean(io.terminal && process.stderr.isTTY));
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
          progress.start(`run ${runs.length + 1}/${count}, ${seconds} s ${mode} #${r}`);
          const run = await runOnce(file, flags, bound, mode, path.join(work, `${seconds}-${mode}-${r}`), progress);
          runs.push({ clipSeconds: seconds, mode, repeat: r, ...run });
          const row = benchRows([runs.at(-1)!])[0];
          progress.row(() =>
            io.out(
              `${String(seconds).padStart(6)} s  ${mode.padEnd(10)} #${r}  wall ${row.wall_s} s (start-up ${row.startup_s} s)  RTF ${row.rtf}  peak RSS ${row.peak_rss_mib} MiB`,
            ),
          );
        }
      }
      // On the shortest clip, once (a length given twice is measured twice, but compared once).
      if (flags.comparePrecision && seconds === shortest && !precision) {
        progress.start(`precision: recording the stages' feeds of the ${seconds} s clip, then FP16 and INT8 variants`);
        precision = await precisionRows(file, flags, bound, path.join(work, 'precision'));
        progress.row(() => {
          for (const line of precisionLines(precision!)) io.out(`precision  ${line}`);
        });
      }
    }
  } finally {
    progress.stop();
    await rm(work, { recursive: true, force: true });
  }
  if (flags.csv) {
    await writeFile(flags.csv, benchCsv(runs));
    io.out(`wrote ${path.resolve(flags.csv)}`);
    if (precision) {
      const file = precisionCsvPath(flags.csv);
      await writeFile(file, precisionCsv(precision));
      io.out(`wrote ${path.resolve(file)}`);
    }
  }
  if (flags.html) {
    const environment = benchEnvironment(providersOf(graph));
    await writeFile(
      flags.html,
      benchHtml({
        pipeline: graph.name,
        runs,
        environment,
        date: new Date(),
        extra: precision && precisionHtml(precision),
      }),
    );
    io.out(`wrote ${path.resolve(flags.html)}`);
  }
  return 0;
}

/** `bench.csv` → `bench.precision.csv`: the precision rows have columns of their own. */
export function precisionCsvPath(csv: string): string {
  const ext = path.extname(csv);
  return `${ext ? csv.slice(0, -ext.length) : csv}.precision${ext || '.csv'}`;
}

/** Records the stages' feeds on `inputs` (16 runs each at most) and compares their variants. */
async function precisionRows(
  file: string,
  flags: BenchFlags,
  inputs: Record<string, string>,
  dir: string,
): Promise<PrecisionRow[]> {
  await mkdir(dir, { recursive: true });
  const recorded = await interruptible('reel bench --compare-precision', (signal) =>
    recordFeeds({
      pipeline: file,
      inputs: Object.entries(inputs).map(([k, v]) => `${k}=${v}`),
      set: flags.set,
      profile: flags.profile,
      kinds: flags.kinds,
      max: 16,
      signal,
    }),
  );
  return comparePrecisions(recorded, dir);
}

/** The providers the model stages ask for, in preference order: `cpu`, or per stage where they differ. */
function providersOf(graph: PipelineGraph): string {
  const stages = [...graph.nodes.values()].filter((n) => Object.keys(n.models).length > 0);
  const lists = stages.map((n) => n.settings.provider.join(' → '));
  if (lists.length === 0) return 'none (no model stages)';
  if (new Set(lists).size === 1) return lists[0];
  return stages.map((n, i) => `${n.id}: ${lists[i]}`).join(', ');
}

/** One `reel run` in a child process (its own heap and RSS); returns its metrics and trace. */
async function runOnce(
  file: string,
  flags: BenchFlags,
  inputs: Record<string, string>,
  mode: string,
  dir: string,
  progress: BenchProgress,
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
    ...(flags.kinds ?? []).flatMap((k) => ['--kinds', path.resolve(k)]),
    ...(flags.cores ? ['--cores', flags.cores] : []),
    '--progress',
    'json',
  ];
  const stderr: string[] = [];
  const code = await new Promise<number>((resolve, reject) => {
    // Each run measures its stages afresh, as a first run does: what one run remembered would
    // change the next one's start (cost-memory.ts), and the order of the runs would matter.
    const env = { ...process.env, [REMEMBER_ENV]: '0' };
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
    // The run's progress events feed the status line; its other lines are kept for a failure.
    createInterface({ input: child.stderr }).on('line', (line) => {
      if (!progress.childLine(line)) stderr.push(line);
    });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) {
    const last = stderr.filter((l) => l.trim() && !/provider/.test(l)).pop() ?? `exit ${code}`;
    throw new ReelError(`bench run (${mode}) failed: ${last}`);
  }
  const metrics = JSON.parse(await readFile(metricsFile, 'utf8')) as RunMetrics;
  const trace = (JSON.parse(await readFile(traceFile, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  return { metrics, trace };
}
