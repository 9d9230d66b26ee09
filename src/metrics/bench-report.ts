/**
 * `reel bench` results as CSV and as one self-contained HTML page (inline SVG and CSS, drawn
 * here rather than by a script, so the page opens offline and a test can check what it shows):
 * the machine, wall ÷ clip length per mode against the bound, a table of runs, every run's
 * timeline on one time scale, and each run's per-stage breakdown.
 */
import { BREAKDOWN_PARTS, runSummaryLine, stageBreakdownHtml } from './bench-breakdown.ts';
import { rtfChartSvg } from './bench-chart.ts';
import type { BenchEnvironment } from './bench-environment.ts';
import { sharedTimeScale, timelineSvg } from './bench-timeline.ts';
import { escapeHtml, recorded } from './report-html.ts';
import type { RunMetrics } from './stage-metrics.ts';
import type { TraceEvent } from './trace.ts';

export interface BenchRun {
  clipSeconds: number;
  mode: 'pipelined' | 'sequential';
  repeat: number;
  metrics: RunMetrics;
  trace: readonly TraceEvent[];
}

export interface BenchReport {
  pipeline: string;
  runs: readonly BenchRun[];
  environment: BenchEnvironment;
  /** When the bench ran; the page prints it. */
  date?: Date;
  /** More sections (HTML) after the breakdowns, e.g. the precision comparison. */
  extra?: string;
}

type Row = Record<string, string | number | undefined>;

const round = (x: number, digits = 3) => Number(x.toFixed(digits));

/** Run-level columns the runtime added later: last in the CSV, so earlier columns keep their place. */
const RUN_COLUMNS = ['cores', 'bottleneck', 'bound_s', 'efficiency'];

export function benchRows(runs: readonly BenchRun[]): Row[] {
  return runs.map((r) => {
    const m = r.metrics;
    const wall = m.wallMs / 1000;
    const startup = (m.startupMs ?? 0) / 1000;
    const row: Row = {
      clip_s: r.clipSeconds,
      mode: r.mode,
      repeat: r.repeat,
      wall_s: round(wall),
      startup_s: round(startup),
      // Real-time factor of the processing itself (start-up — workers, sessions, warm-up — apart).
      rtf: round((wall - startup) / r.clipSeconds, 4),
      clips_per_s: round(1 / wall, 4),
      peak_rss_mib: round(m.processPeakRssBytes / 2 ** 20, 1),
    };
    for (const s of m.stages) {
      row[`${s.stage}_busy_ms`] = round(s.busyMs, 1);
      row[`${s.stage}_wait_input_ms`] = round(s.waitInputMs, 1);
    }
    row.cores = recorded(m.cores) ? m.cores : undefined;
    row.bottleneck = m.bottleneck || undefined;
    row.bound_s = recorded(m.boundMs) ? round(m.boundMs / 1000) : undefined;
    row.efficiency = recorded(m.efficiency) ? round(m.efficiency) : undefined;
    return row;
  });
}

export function benchCsv(runs: readonly BenchRun[]): string {
  const rows = benchRows(runs);
  const seen = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) => !RUN_COLUMNS.includes(c));
  const columns = [...seen, ...RUN_COLUMNS];
  const cell = (v: string | number | undefined) =>
    v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
  return `${[columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\n')}\n`;
}

export function benchHtml(report: BenchReport): string {
  const { pipeline, runs } = report;
  const scale = sharedTimeScale(runs);
  const title = (r: BenchRun) =>
    `${r.clipSeconds} s clip · ${r.mode}${runs.some((x) => x.repeat > 1) ? ` · #${r.repeat}` : ''}`;
  const timelines = runs
    .map((r) => `<section class="run-timeline"><h3>${title(r)}</h3>${timelineSvg(r, scale)}</section>`)
    .join('\n');
  const breakdowns = runs
    .map(
      (r) =>
        `<section class="run-breakdown"><h3>${title(r)}</h3><p class="run-summary">${runSummaryLine(r)}</p>${stageBreakdownHtml(r)}</section>`,
    )
    .join('\n');
  const legend = BREAKDOWN_PARTS.map(
    (p) => `<span class="key"><i style="background:${p.colour}"></i>${p.label}</span>`,
  ).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>reel bench: ${escapeHtml(pipeline)}</title>
<style>${STYLE}</style></head>
<body><h1>reel bench: ${escapeHtml(pipeline)}</h1>
${environmentHeader(report)}
<h2>Wall time ÷ clip length</h2>
<p class="note">Start-up included, as in the bound: start-up + max(busiest stage's compute ÷ its replicas, total compute ÷ cores). Solid: median of the runs (dots); dashed: the bound.</p>
${rtfChartSvg(runs)}
<h2>Runs</h2>
<p class="note">rtf: (wall − start-up) ÷ clip length; efficiency: bound ÷ wall.</p>
${runsTable(runs)}
<h2>Timelines</h2>
<p class="note">One time scale for every run (${scale.pxPerSecond.toFixed(1)} px per second); one bar per chunk; grey: start-up; red dashes: end of the run.</p>
${timelines}
<h2>Per-stage breakdown</h2>
<p class="note legend">${legend} (bars to scale within each run)</p>
${breakdowns}
${report.extra ?? ''}
</body></html>
`;
}

function environmentHeader({ environment: e, date }: BenchReport): string {
  const items: [string, string][] = [
    ['cores', String(e.cores)],
    ['memory', `${(e.memoryBytes / 2 ** 30).toFixed(1)} GiB`],
    ['CPU', e.cpu],
    ['platform', e.platform],
    ['node', e.node],
    ['onnxruntime-node', e.onnxruntime],
    ['providers', e.providers],
  ];
  if (date) items.push(['date', date.toISOString().replace(/\.\d+Z$/, 'Z')]);
  return `<dl class="env">${items.map(([k, v]) => `<div data-key="${k}"><dt>${k}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;
}

function runsTable(runs: readonly BenchRun[]): string {
  const rows = benchRows(runs);
  const columns = [
    'clip_s',
    'mode',
    'repeat',
    'wall_s',
    'startup_s',
    'rtf',
    'bound_s',
    'efficiency',
    'bottleneck',
    'peak_rss_mib',
  ];
  const cell = (v: string | number | undefined) => (v === undefined ? '–' : escapeHtml(String(v)));
  return `<table class="runs"><tr>${columns.map((c) => `<th>${c}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

const STYLE = [
  'body{font-family:sans-serif;margin:2em;color:#222}',
  'table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;white-space:nowrap}',
  'td:first-child,th:first-child{text-align:left}',
  'dl.env{display:flex;flex-wrap:wrap;gap:.4em 1.6em;margin:0 0 1.5em}dl.env div{display:flex;gap:.4em}dt{color:#666}dd{margin:0;font-weight:bold}',
  '.note{color:#555;font-size:.9em}.run-summary{margin:.2em 0}',
  '.key{margin-right:1em}.key i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}',
  '.badge{background:#c0504d;color:#fff;border-radius:3px;padding:0 4px;font-size:.8em}tr.bottleneck{background:#fff4f2}',
  'h3{margin:1em 0 .2em;font-size:1em}',
].join('');
