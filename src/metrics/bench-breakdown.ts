/**
 * The bench report's per-stage breakdown of one run: where each stage's time went — compute,
 * waiting for input, waiting for a chunk's neighbours, blocked by a full downstream edge — as
 * figures and as one stacked bar per stage (bars to scale within the run), with the stage's
 * replicas, intra-op threads and utilisation, and the bottleneck marked.
 */
import type { BenchRun } from './bench-report.ts';
import { escapeHtml, percent, recorded, seconds } from './report-html.ts';
import type { StageMetrics } from './stage-metrics.ts';

/** The four parts of a stage's time, in bar order, with the colour the page's legend uses. */
export const BREAKDOWN_PARTS = [
  { key: 'busyMs', label: 'compute', colour: '#3a7d44' },
  { key: 'waitInputMs', label: 'wait input', colour: '#c9c9c9' },
  { key: 'waitNeighboursMs', label: 'wait neighbours', colour: '#e0b84f' },
  { key: 'blockedOutputMs', label: 'blocked', colour: '#c0504d' },
] as const satisfies readonly { key: keyof StageMetrics; label: string; colour: string }[];

const BAR_WIDTH = 280;

/** One line of the run's own figures: wall, start-up, bound, efficiency, bottleneck, budget. */
export function runSummaryLine(run: BenchRun): string {
  const m = run.metrics;
  const parts = [`wall ${seconds(m.wallMs)}`];
  if (recorded(m.startupMs)) parts.push(`start-up ${seconds(m.startupMs)}`);
  if (recorded(m.boundMs)) parts.push(`bound ${seconds(m.boundMs)}`);
  if (recorded(m.efficiency)) parts.push(`efficiency ${percent(m.efficiency)}`);
  if (m.bottleneck) parts.push(`bottleneck ${m.bottleneck}`);
  if (recorded(m.cores)) parts.push(`${m.cores} cores`);
  if (m.budget) parts.push(`budget: ${m.budget}`);
  return escapeHtml(parts.join(' · '));
}

export function stageBreakdownHtml(run: BenchRun): string {
  const stages = run.metrics.stages;
  const total = (s: StageMetrics) => BREAKDOWN_PARTS.reduce((sum, p) => sum + (s[p.key] ?? 0), 0);
  const pxPerMs = BAR_WIDTH / Math.max(1, ...stages.map(total));
  const head = [
    'stage',
    'kind',
    'replicas',
    'intra-op',
    'chunks',
    ...BREAKDOWN_PARTS.map((p) => p.label),
    'utilisation',
    'where the time went',
  ];
  const rows = stages.map((s) => {
    const bottleneck = s.stage === run.metrics.bottleneck;
    const cells = [
      `${escapeHtml(s.stage)}${bottleneck ? ' <span class="badge">bottleneck</span>' : ''}`,
      escapeHtml(s.kind),
      optional(s.replicas, String),
      optional(s.intraOp, String),
      String(s.packets),
      ...BREAKDOWN_PARTS.map((p) => seconds(s[p.key] ?? 0)),
      optional(s.utilisation, percent),
      stackedBar(s, pxPerMs),
    ];
    return `<tr class="stage-row${bottleneck ? ' bottleneck' : ''}" data-stage="${escapeHtml(s.stage)}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="breakdown" data-clip="${run.clipSeconds}" data-mode="${run.mode}" data-repeat="${run.repeat}"><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>`;
}

function stackedBar(s: StageMetrics, pxPerMs: number): string {
  let x = 0;
  const segments = BREAKDOWN_PARTS.map((p) => {
    const w = (s[p.key] ?? 0) * pxPerMs;
    const rect = `<rect class="part ${p.label.replace(/ /g, '-')}" x="${x.toFixed(1)}" y="0" width="${w.toFixed(1)}" height="14" fill="${p.colour}"><title>${p.label} ${seconds(s[p.key] ?? 0)}</title></rect>`;
    x += w;
    return rect;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="stage-bar" width="${BAR_WIDTH}" height="14">${segments.join('')}</svg>`;
}

/** A field older metrics files lack shows as a dash, not as NaN or 0. */
function optional(x: number | undefined, format: (x: number) => string): string {
  return recorded(x) ? format(x) : '–';
}
