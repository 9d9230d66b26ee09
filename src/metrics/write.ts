/**
 * Writes run metrics and traces atomically (temp file + rename), so that an interrupted write
 * never leaves a truncated JSON under the requested name.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { RunMetrics } from './stage-metrics.ts';
import type { TraceEvent } from './trace.ts';

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(value, null, 2));
  await rename(temp, file);
}

/** `--metrics FILE.json`: the per-stage figures of one run. */
export function writeMetrics(file: string, metrics: RunMetrics): Promise<void> {
  return writeJsonAtomically(file, metrics);
}

/** `--trace FILE.json`: a Chrome trace-event file (open it in https://ui.perfetto.dev). */
export function writeTrace(file: string, events: readonly TraceEvent[]): Promise<void> {
  return writeJsonAtomically(file, { traceEvents: events, displayTimeUnit: 'ms' });
}
