/**
 * `reel batch <pipeline.yaml> <samples> --out DIR [--jobs N|auto] [--retries N] [--force] [--cores N]
 *   [--set K=V]... [--profile NAME] [--progress auto|plain|json]`
 * Renders a folder (or manifest) of samples into `DIR/<sample>/`, resumably: a journal in DIR
 * records what is done, a re-run skips what is done and still valid. One line per finished sample
 * (or one JSON event per line with `--progress json`), then `report.csv`, `report.json` and `report.html` in DIR.
 * Exit 0 when every sample is done, 3 when any failed, 2 on a usage error (nothing was run).
 */
import { stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { pipelineHash } from '../../batch/journal.ts';
import { pipelineFingerprint } from '../../batch/pipeline-fingerprint.ts';
import { batchReportCsv, batchReportHtml, batchReportJson, batchTotals, totalsLine } from '../../batch/report.ts';
import { runBatch, type BatchEvent, type SampleOutcome } from '../../batch/run-batch.ts';
import type { PipelineGraph } from '../../graph/types.ts';
import { queueRenderer } from '../../queue/queued-render.ts';
import { assertReachable } from '../../queue/reachable.ts';
import { parseRedisUrl } from '../../queue/redis-url.ts';
import { batchJobs } from '../../runtime/core-budget.ts';
import { abortOnSignals } from '../../runtime/index.ts';
import { terminalProgress } from '../../batch/progress.ts';
import type { CliIo } from '../io.ts';
import { loadGraph } from '../pipeline.ts';
import { bindInputFiles, parseCores, parseJobs } from './run.ts';

export interface BatchFlags {
  out: string;
  jobs: string;
  retries: string;
  force?: boolean;
  cores?: string;
  set?: string[];
  /** `--kinds FILE`: modules of stage kinds of the user's own. */
  kinds?: string[];
  profile?: string;
  progress: string;
  queue?: string;
}

/** Samples on the queue at once with `--queue` and `--jobs auto`. */
const QUEUED_AT_ONCE = 256;

function wholeNumber(flag: string, text: string, least: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < least)
    throw new UsageError(`${flag} ${text}: expected a whole number ≥ ${least}, e.g. ${flag} ${least + 1}`);
  return n;
}

export async function batchCommand(file: string, samples: string, flags: BatchFlags, io: CliIo): Promise<number> {
  const retries = wholeNumber('--retries', flags.retries, 0);
  const cores = parseCores(flags.cores);
  const target = flags.queue === undefined ? undefined : parseRedisUrl(flags.queue);
  // On a queue, --jobs is how many samples wait on it at once; the workers decide what runs.
  const autoJobs = target ? QUEUED_AT_ONCE : batchJobs(cores ?? availableParallelism());
  const jobs = parseJobs(flags.jobs, autoJobs);
  const place = await stat(samples).catch(() => undefined);
  if (!place) throw new UsageError(`${samples}: no such folder or manifest — give the folder of samples`);
  const out = await stat(flags.out).catch(() => undefined);
  if (out && !out.isDirectory()) throw new UsageError(`--out ${flags.out}: is a file, not a folder`);
  const { graph } = await loadGraph(file, { profile: flags.profile, set: flags.set, kinds: flags.kinds });
  const outDir = path.resolve(flags.out);
  if (target) await assertReachable(target);
  const queued =
    target &&
    (await queueRenderer({
      target,
      retries,
      pipeline: {
        file: path.resolve(file),
        profile: flags.profile,
        set: flags.set ?? [],
        ...(flags.kinds && { kinds: flags.kinds.map((k) => path.resolve(k)) }),
      },
    }));

  const json = flags.progress === 'json';
  // On a terminal (the real one, not a test's captured output), status lines redrawn in place.
  // A terminal of no size (a bare pty) would show nothing: plain lines there.
  const sized = (process.stdout.rows ?? 0) > 0;
  const terminal =
    flags.progress === 'auto' && io.terminal && sized ? terminalProgress(process.stdout, outcomeLine) : undefined;
  const onEvent = (event: BatchEvent) => {
    if (json) return io.out(JSON.stringify(event));
    if (terminal) return terminal.onEvent(event);
    if (event.type === 'finished') io.out(outcomeLine(event.outcome));
  };
  const hashes = new WeakMap<PipelineGraph, Promise<string>>();
  const signals = abortOnSignals();
  try {
    const result = await runBatch(graph, {
      samples: path.resolve(samples),
      outDir,
      jobs,
      retries,
      force: flags.force,
      cores,
      signal: signals.signal,
      onEvent,
      render: queued ? (request) => queued.render(request) : undefined,
      graphFor: async (job) =>
        job.set.length === 0
          ? graph
          : (
              await loadGraph(file, {
                profile: flags.profile,
                set: [...(flags.set ?? []), ...job.set],
                kinds: flags.kinds,
              })
            ).graph,
      checkInputs: (g, job) => bindInputFiles(g, job.inputs),
      pipelineHash: (g) => {
        // One graph serves every job without overrides: its models are stat'ed once, not per sample.
        const known = hashes.get(g);
        if (known) return known;
        const hash = pipelineFingerprint(g).then(pipelineHash);
        hashes.set(g, hash);
        return hash;
      },
    });
    await writeFile(path.join(outDir, 'report.csv'), batchReportCsv(result.outcomes, outDir));
    await writeFile(path.join(outDir, 'report.json'), batchReportJson(result, outDir));
    await writeFile(path.join(outDir, 'report.html'), batchReportHtml(result, outDir, graph.name));
    const totals = batchTotals(result);
    io.err(`batch: ${totalsLine(totals)}; report: ${path.join(outDir, 'report.csv')}`);
    return totals.failed > 0 ? 3 : 0;
  } catch (err) {
    if (signals.received()) {
      io.err(`batch cancelled by ${signals.received()}; finished samples are kept, a re-run goes on from there`);
      return signals.exitCode();
    }
    throw err;
  } finally {
    terminal?.stop();
    signals.dispose();
    await queued?.close();
  }
}

function outcomeLine(o: SampleOutcome): string {
  if (o.status === 'failed') return `FAIL  ${o.id}: ${o.reason}`;
  const files = o.outputs.map(shown).join(', ');
  if (o.status === 'skipped') return `skip  ${o.id} (already done, outputs verified) ${files}`;
  const retried = o.attempts > 1 ? `, ${o.attempts} attempts` : '';
  const media = o.mediaSeconds ? ` (${o.mediaSeconds.toFixed(1)} s of media)` : '';
  const warnings = (o.warnings ?? []).map((w) => `\n      ${w}`).join('');
  return `done  ${o.id} in ${((o.wallMs ?? 0) / 1000).toFixed(2)} s${media}${retried} → ${files}${warnings}`;
}

/** A path as the user would type it: relative below the working folder, absolute elsewhere. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
