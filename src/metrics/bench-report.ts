/**
 * `reel bench` results as CSV and as a self-contained HTML page: a table per clip length and mode,
 * and a timeline picture (one row per stage, one bar per chunk) of how the stages overlapped.
 */
import type { RunMetrics } from './stage-metrics.ts';
import type { TraceEvent } from './trace.ts';

export interface BenchRun {
  clipSeconds: number;
  mode: 'pipelined' | 'sequential';
  repeat: number;
  metrics: RunMetrics;
  trace: readonly TraceEvent[];
}

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

export function benchRows(runs: readonly BenchRun[]): Record<string, string | number>[] {
  return runs.map((r) => {
    const wall = r.metrics.wallMs / 1000;
    const startup = (r.metrics.startupMs ?? 0) / 1000;
    const row: Record<string, string | number> = {
      clip_s: r.clipSeconds,
      mode: r.mode,
      repeat: r.repeat,
      wall_s: round(wall),
      startup_s: round(startup),
      // Real-time factor of the processing itself (start-up — workers, sessions, warm-up — apart).
      rtf: round((wall - startup) / r.clipSeconds, 4),
      clips_per_s: round(1 / wall, 4),
      peak_rss_mib: round(r.metrics.processPeakRssBytes / 2 ** 20, 1),
    };
    for (const s of r.metrics.stages) {
      row[`${s.stage}_busy_ms`] = round(s.busyMs, 1);
      row[`${s.stage}_wait_input_ms`] = round(s.waitInputMs, 1);
    }
    return row;
  });
}

export function benchCsv(runs: readonly BenchRun[]): string {
  const rows = benchRows(runs);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number | undefined) =>
    v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One SVG: a row per track, a bar per span, time on the x axis. */
export function timelineSvg(trace: readonly TraceEvent[], width = 900): string {
  const names = new Map(
    trace.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args?.name ?? e.tid)]),
  );
  const spans = trace.filter((e) => e.ph === 'X');
  const tids = [...names.keys()].filter((tid) => spans.some((s) => s.tid === tid));
  const end = Math.max(1, ...spans.map((s) => s.ts + (s.dur ?? 0)));
  const label = 120;
  const row = 22;
  const scale = (width - label - 10) / end;
  const bars = spans.map((s) => {
    const y = tids.indexOf(s.tid) * row + 4;
    const x = label + s.ts * scale;
    const w = Math.max(1, (s.dur ?? 0) * scale);
    const hue = (tids.indexOf(s.tid) * 67) % 360;
    return `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${row - 8}" fill="hsl(${hue},60%,55%)"><title>${escapeHtml(s.name)}: ${((s.dur ?? 0) / 1000).toFixed(1)} ms</title></rect>`;
  });
  const labels = tids.map(
    (tid, i) => `<text x="4" y="${i * row + 16}" font-size="12">${escapeHtml(names.get(tid) ?? String(tid))}</text>`,
  );
  const height = tids.length * row + 24;
  const axis = `<text x="${label}" y="${height - 4}" font-size="11">0 s</text><text x="${width - 60}" y="${height - 4}" font-size="11">${(end / 1e6).toFixed(2)} s</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">${labels.join('')}${bars.join('')}${axis}</svg>`;
}

export function benchHtml(pipeline: string, runs: readonly BenchRun[]): string {
  const rows = benchRows(runs);
  const columns = ['clip_s', 'mode', 'repeat', 'wall_s', 'startup_s', 'rtf', 'clips_per_s', 'peak_rss_mib'];
  const table = `<table><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${columns.map((c) => `<td>${escapeHtml(String(r[c]))}</td>`).join('')}</tr>`)
    .join('')}</table>`;
  const timelines = runs
    .filter((r) => r.repeat === 1)
    .map(
      (r) =>
        `<h3>${r.clipSeconds} s clip, ${r.mode}: ${(r.metrics.wallMs / 1000).toFixed(2)} s</h3>${timelineSvg(r.trace)}`,
    )
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>reel bench: ${escapeHtml(pipeline)}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}</style></head>
<body><h1>reel bench: ${escapeHtml(pipeline)}</h1>${table}<h2>Stage timelines (one bar per chunk)</h2>${timelines}</body></html>
`;
}
