/**
 * `reel worker --queue redis://HOST:PORT[/DB] [--jobs N|auto] [--cores N] [--drain-timeout S] [--pipelines DIR]`
 * Takes render jobs queued by `reel batch --queue` until SIGTERM or Ctrl-C, then finishes the jobs
 * in hand (or puts them back after the drain timeout) and exits 0. One line per job on stdout.
 */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { assertReachable } from '../../queue/reachable.ts';
import { parseRedisUrl } from '../../queue/redis-url.ts';
import { QUEUE_NAME } from '../../queue/queue-job.ts';
import { runQueueWorker } from '../../queue/reel-worker.ts';
import { batchJobs } from '../../runtime/core-budget.ts';
import { abortOnSignals } from '../../runtime/index.ts';
import type { CliIo } from '../io.ts';
import { loadGraph } from '../pipeline.ts';
import { bindInputFiles, parseCores, parseJobs } from './run.ts';

export interface WorkerFlags {
  queue: string;
  jobs: string;
  cores?: string;
  drainTimeout: string;
  pipelines?: string;
}

export async function workerCommand(flags: WorkerFlags, io: CliIo): Promise<number> {
  const target = parseRedisUrl(flags.queue);
  const cores = parseCores(flags.cores);
  const jobs = parseJobs(flags.jobs, batchJobs(cores ?? availableParallelism()));
  const drain = Number(flags.drainTimeout);
  if (!(drain >= 0)) throw new UsageError(`--drain-timeout ${flags.drainTimeout}: expected seconds ≥ 0, e.g. 60`);
  if (flags.pipelines !== undefined && !(await stat(flags.pipelines).catch(() => undefined))?.isDirectory())
    throw new UsageError(
      `--pipelines ${flags.pipelines}: no such folder — give the folder that holds the pipeline files`,
    );
  await assertReachable(target);
  const signals = abortOnSignals();
  io.err(
    `reel worker: taking jobs from ${target.shown} (queue ${QUEUE_NAME}), ${jobs} at once; SIGTERM or Ctrl-C stops it`,
  );
  try {
    const summary = await runQueueWorker({
      target,
      jobs,
      cores,
      drainTimeoutMs: drain * 1000,
      pipelinesDir: flags.pipelines === undefined ? undefined : path.resolve(flags.pipelines),
      stop: signals.signal,
      lockMs: process.env.REEL_QUEUE_LOCK_MS ? Number(process.env.REEL_QUEUE_LOCK_MS) : undefined,
      loadGraph: async (p) => (await loadGraph(p.file, { profile: p.profile, set: p.set, kinds: p.kinds })).graph,
      checkInputs: bindInputFiles,
      log: (line) => io.out(line),
    });
    io.err(
      `reel worker: stopped by ${signals.received() ?? 'request'}; ${summary.completed} done, ${summary.failed} failed, ${summary.returned} put back on the queue`,
    );
    return 0;
  } finally {
    signals.dispose();
  }
}
