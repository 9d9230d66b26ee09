/** The batch report: one row per sample (status, reason, attempts, wall time, outputs) and totals. */
import path from 'node:path';
import type { BatchResult, SampleOutcome } from './run-batch.ts';

const COLUMNS = ['sample', 'status', 'reason', 'attempts', 'wall_s', 'outputs'] as const;

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function batchReportCsv(outcomes: readonly SampleOutcome[], outDir: string): string {
  const rows = outcomes.map((o) =>
    [
      o.id,
      o.status,
      o.reason,
      String(o.attempts),
      o.wallMs === undefined ? '' : (o.wallMs / 1000).toFixed(3),
      o.outputs.map((f) => path.relative(outDir, f)).join(' '),
    ].map(csvField),
  );
  return `${[COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n')}\n`;
}

export function batchReportJson(result: BatchResult, outDir: string): string {
  const count = (status: SampleOutcome['status']) => result.outcomes.filter((o) => o.status === status).length;
  return `${JSON.stringify(
    {
      totals: {
        samples: result.outcomes.length,
        done: count('done'),
        skipped: count('skipped'),
        failed: count('failed'),
        wallS: Math.round(result.wallMs) / 1000,
      },
      samples: result.outcomes.map((o) => ({ ...o, outputs: o.outputs.map((f) => path.relative(outDir, f)) })),
    },
    null,
    2,
  )}\n`;
}
