/**
 * The batch report: one row per sample (status, reason, attempts, wall time, media seconds, RTF,
 * outputs, the stages' warnings) and totals (counts, media, throughput, the stage workers the batch
 * started).
 */
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { escapeHtml } from '../metrics/report-html.ts';
import type { BatchResult, SampleOutcome } from './run-batch.ts';

const COLUMNS = ['sample', 'status', 'reason', 'attempts', 'wall_s', 'media_s', 'rtf', 'outputs', 'warnings'] as const;

/** Wall time ÷ media time of a rendered sample (below 1: faster than real time). */
function rtf(o: SampleOutcome): number | undefined {
  return o.status === 'done' && o.wallMs !== undefined && o.mediaSeconds ? o.wallMs / 1000 / o.mediaSeconds : undefined;
}

const fixed = (value: number | undefined, digits: number) => (value === undefined ? '' : value.toFixed(digits));

export interface BatchTotals {
  samples: number;
  done: number;
  skipped: number;
  failed: number;
  wallS: number;
  /** Media rendered by this run (skipped samples not counted), seconds. */
  mediaS: number;
  /** Batch wall time ÷ media rendered. */
  rtf: number | null;
  /** Samples rendered per second of batch wall time. */
  samplesPerS: number;
  jobs: number;
  workersStarted: number;
  workersReused: number;
}

export function batchTotals(result: BatchResult): BatchTotals {
  const count = (status: SampleOutcome['status']) => result.outcomes.filter((o) => o.status === status).length;
  const wallS = result.wallMs / 1000;
  const mediaS = result.outcomes.reduce((sum, o) => sum + (o.status === 'done' ? (o.mediaSeconds ?? 0) : 0), 0);
  return {
    samples: result.outcomes.length,
    done: count('done'),
    skipped: count('skipped'),
    failed: count('failed'),
    wallS: Math.round(result.wallMs) / 1000,
    mediaS: Math.round(mediaS * 1000) / 1000,
    rtf: mediaS > 0 ? Math.round((wallS / mediaS) * 1000) / 1000 : null,
    samplesPerS: wallS > 0 ? Math.round((count('done') / wallS) * 1000) / 1000 : 0,
    jobs: result.jobs,
    workersStarted: result.workers.started,
    workersReused: result.workers.reused,
  };
}

/** One line: counts, media, throughput. */
export function totalsLine(t: BatchTotals): string {
  const media = t.mediaS > 0 ? `, ${t.mediaS.toFixed(1)} s of media at RTF ${t.rtf?.toFixed(3)}` : '';
  return `${t.samples} samples: ${t.done} done, ${t.skipped} already done, ${t.failed} failed, in ${t.wallS.toFixed(1)} s${media}`;
}

export function batchReportCsv(outcomes: readonly SampleOutcome[], outDir: string): string {
  const rows = outcomes.map((o) => [
    o.id,
    o.status,
    o.reason,
    String(o.attempts),
    o.wallMs === undefined ? '' : (o.wallMs / 1000).toFixed(3),
    fixed(o.mediaSeconds, 3),
    fixed(rtf(o), 3),
    o.outputs.map((f) => path.relative(outDir, f)).join(' '),
    (o.warnings ?? []).join(' | '),
  ]);
  return stringify([[...COLUMNS], ...rows], { record_delimiter: '\n' });
}

export function batchReportJson(result: BatchResult, outDir: string): string {
  return `${JSON.stringify(
    {
      totals: batchTotals(result),
      samples: result.outcomes.map((o) => ({
        ...o,
        rtf: rtf(o),
        outputs: o.outputs.map((f) => path.relative(outDir, f)),
      })),
    },
    null,
    2,
  )}\n`;
}

/** The same report as one self-contained page (no script, no network): totals, then a row per sample. */
export function batchReportHtml(result: BatchResult, outDir: string, pipeline: string): string {
  const rows = result.outcomes
    .map((o) => {
      const outputs = o.outputs
        .map((f) => path.relative(outDir, f))
        .map((f) => `<a href="${escapeHtml(encodeURI(f))}">${escapeHtml(f)}</a>`)
        .join('<br>');
      const wall = o.wallMs === undefined ? '' : (o.wallMs / 1000).toFixed(2);
      const warnings = (o.warnings ?? []).map((w) => `<br><span class="warning">${escapeHtml(w)}</span>`).join('');
      const cells = [
        escapeHtml(o.id),
        o.status,
        escapeHtml(o.reason) + warnings,
        o.attempts,
        wall,
        fixed(o.mediaSeconds, 2),
      ];
      return `<tr class="${o.status}">${[...cells, fixed(rtf(o), 3), outputs].map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('\n');
  const t = batchTotals(result);
  const workers = `${t.jobs} at once; stage workers: ${t.workersStarted} started, ${t.workersReused} reused`;
  const totals = `${totalsLine(t)}; ${t.samplesPerS} samples/s; ${workers}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>reel batch: ${escapeHtml(pipeline)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222 }
table { border-collapse: collapse } td, th { border: 1px solid #ccc; padding: 4px 8px; vertical-align: top; text-align: left }
tr.failed td:nth-child(2) { color: #b00020; font-weight: 600 } tr.done td:nth-child(2) { color: #1b7f3b }
tr.skipped td:nth-child(2) { color: #666 } .warning { color: #8a5a00 }
</style></head><body>
<h1>reel batch: ${escapeHtml(pipeline)}</h1>
<p id="totals">${escapeHtml(totals)}</p>
<table><thead><tr><th>sample</th><th>status</th><th>reason</th><th>attempts</th><th>wall s</th><th>media s</th><th>RTF</th><th>outputs</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
