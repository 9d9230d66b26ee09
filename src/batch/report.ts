/** The batch report: one row per sample (status, reason, attempts, wall time, outputs) and totals. */
import path from 'node:path';
import { escapeHtml } from '../metrics/report-html.ts';
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

/** The same report as one self-contained page (no script, no network): totals, then a row per sample. */
export function batchReportHtml(result: BatchResult, outDir: string, pipeline: string): string {
  const count = (status: SampleOutcome['status']) => result.outcomes.filter((o) => o.status === status).length;
  const rows = result.outcomes
    .map((o) => {
      const outputs = o.outputs
        .map((f) => path.relative(outDir, f))
        .map((f) => `<a href="${escapeHtml(encodeURI(f))}">${escapeHtml(f)}</a>`)
        .join('<br>');
      const wall = o.wallMs === undefined ? '' : (o.wallMs / 1000).toFixed(2);
      return `<tr class="${o.status}"><td>${escapeHtml(o.id)}</td><td>${o.status}</td><td>${escapeHtml(o.reason)}</td><td>${o.attempts}</td><td>${wall}</td><td>${outputs}</td></tr>`;
    })
    .join('\n');
  const totals = `${result.outcomes.length} samples: ${count('done')} done, ${count('skipped')} already done, ${count('failed')} failed, in ${(result.wallMs / 1000).toFixed(1)} s`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reel batch: ${escapeHtml(pipeline)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222 }
table { border-collapse: collapse } td, th { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left }
tr.failed td:nth-child(2) { color: #b00020; font-weight: 600 } tr.done td:nth-child(2) { color: #1b7f3b }
tr.skipped td:nth-child(2) { color: #666 }
</style></head><body>
<h1>reel batch: ${escapeHtml(pipeline)}</h1>
<p id="totals">${escapeHtml(totals)}</p>
<table><thead><tr><th>sample</th><th>status</th><th>reason</th><th>attempts</th><th>wall s</th><th>outputs</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
