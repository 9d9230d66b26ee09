/**
 * `reel batch --queue`: samples are rendered by `reel worker` processes instead of this one. Each
 * sample the journal does not show done becomes one BullMQ job (paths only); its progress and
 * result come back through the queue's events; the batch then records, reports and exits as a
 * local one does. Retries are the queue's (with backoff), so a job is tried once from here.
 */
import { Job, Queue, QueueEvents } from 'bullmq';
import { CancelledError, ReelError } from '../core/errors.ts';
import type { PipelineGraph } from '../graph/types.ts';
import type { RenderedSample, RenderRequest } from '../batch/run-batch.ts';
import {
  contentFingerprint,
  QUEUE_NAME,
  type QueueJobData,
  type QueueJobProgress,
  type QueueJobResult,
} from './queue-job.ts';
import { connectionOptions, type RedisTarget } from './redis-url.ts';

/** A sample a worker failed (after its retries), with the worker's one-line reason. */
export class QueuedJobError extends ReelError {
  override readonly code = 'QUEUED_JOB_FAILED';
}

export interface QueueRendererOptions {
  target: RedisTarget;
  /** Runs of a job after a runtime failure (the queue's attempts are retries + 1). */
  retries: number;
  /** How the graphs were built, for the workers to build the same. */
  pipeline: { file: string; profile?: string; set: readonly string[]; kinds?: string[] };
}

export interface QueueRenderer {
  render(request: RenderRequest): Promise<RenderedSample>;
  close(): Promise<void>;
}

export async function queueRenderer(options: QueueRendererOptions): Promise<QueueRenderer> {
  const connection = connectionOptions(options.target);
  const queue = new Queue<QueueJobData, QueueJobResult>(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  queue.on('error', () => undefined); // a lost connection fails the waits below, with its reason
  events.on('error', () => undefined);
  await events.waitUntilReady();
  const progress = new Map<string, (seconds: number) => void>();
  events.on('progress', ({ jobId, data }) => {
    const seconds = (data as QueueJobProgress | undefined)?.seconds;
    if (typeof seconds === 'number') progress.get(jobId)?.(seconds);
  });
  const fingerprints = new WeakMap<PipelineGraph, ReturnType<typeof contentFingerprint>>();

  return {
    async render(request) {
      let fingerprint = fingerprints.get(request.graph);
      if (!fingerprint) {
        fingerprint = contentFingerprint(request.graph);
        fingerprints.set(request.graph, fingerprint);
      }
      const { hash, models } = await fingerprint;
      const data: QueueJobData = {
        version: 1,
        sample: request.job.id,
        pipeline: { ...options.pipeline, set: [...options.pipeline.set, ...request.job.set] },
        contentHash: hash,
        models,
        inputs: request.inputs,
        outDir: request.outDir,
      };
      const job = await queue.add(request.job.id, data, {
        attempts: options.retries + 1,
        backoff: { type: 'exponential', delay: 2000 },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      });
      const id = job.id!;
      progress.set(id, request.onProgress);
      let onAbort: () => void = () => {};
      const cancelled = new Promise<never>((_, reject) => {
        onAbort = () => reject(new CancelledError(`sample ${request.job.id}: stopped waiting for its queue job ${id}`));
        if (request.signal?.aborted) onAbort();
        request.signal?.addEventListener('abort', onAbort, { once: true });
      });
      try {
        const result = await Promise.race([job.waitUntilFinished(events), cancelled]);
        const finished = await Job.fromId<QueueJobData, QueueJobResult>(queue, id);
        const { files, mediaSeconds, warnings } = result;
        return { files, mediaSeconds, warnings, attempts: finished?.attemptsStarted || 1 };
      } catch (err) {
        if (err instanceof CancelledError) throw err;
        throw new QueuedJobError(err instanceof Error ? err.message : String(err));
      } finally {
        progress.delete(id);
        request.signal?.removeEventListener('abort', onAbort);
      }
    },
    async close() {
      await Promise.allSettled([events.close(), queue.close()]);
    },
  };
}
