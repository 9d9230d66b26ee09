/**
 * Writes run metrics and traces atomically (temp file + rename), so that an interrupted write
 * never leaves a truncated JSON under the requested name.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { ReelError } from '../core/errors.ts';
import type { RunMetrics } from './stage-metrics.ts';
import type { TraceEvent } from './trace.ts';

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(value, null, 2));
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ReelError(
      `cannot write ${file} (${reason}); the run's outputs are written — free space or give another path`,
      {
        cause: err,
      },
    );
  }
}

/** `--metrics FILE.json`: the per-stage figures of one run. */
export function writeMetrics(file: string, metrics: RunMetrics): Promise<void> {
  return writeJsonAtomically(file, metrics);
}

/** `--trace FILE.json`: a Chrome trace-event file (open it in https://ui.perfetto.dev). */
export function writeTrace(file: string, events: readonly TraceEvent[]): Promise<void> {
  return writeJsonAtomically(file, { traceEvents: events, displayTimeUnit: 'ms' });
}
