/**
 * The bench report's timelines: one SVG per run, every run drawn at the same pixels per second so
 * a reader compares lengths by eye across clip lengths and modes. Start-up (workers, sessions,
 * warm-up) is its own labelled span on the first row; a replicated stage's tracks (`stage#0`,
 * `stage#1`, … in the trace) sit together under one stage label.
 */
import type { BenchRun } from './bench-report.ts';
import { escapeHtml, niceTicks, recorded, seconds } from './report-html.ts';
import type { TraceEvent } from './trace.ts';

/** One horizontal time scale for every timeline of a report. */
export interface TimeScale {
  pxPerSecond: number;
  /** Seconds the axis spans (the longest run, rounded up to a tick). */
  seconds: number;
  ticks: number[];
}

const LABEL_WIDTH = 160;
const ROW = 20;
const AXIS = 26;
const RIGHT_PAD = 12;

/** The scale that fits the longest run (wall time, or its last span if later) into `width` px. */
export function sharedTimeScale(runs: readonly BenchRun[], width = 960): TimeScale {
  const longest = Math.max(0.001, ...runs.map((r) => Math.max(r.metrics.wallMs / 1000, traceEndUs(r.trace) / 1e6)));
  const ticks = niceTicks(longest, 8);
  const span = ticks.at(-1)!;
  return { pxPerSecond: (width - LABEL_WIDTH - RIGHT_PAD) / span, seconds: span, ticks };
}

interface Track {
  tid: number;
  stage: string;
  /** Replica index from a `stage#i` track name; undefined for a stage on one instance. */
  replica?: number;
  spans: TraceEvent[];
}

/** Tracks with spans, grouped by stage, stages in the metrics' order (then first appearance). */
export function stageTracks(run: BenchRun): Track[][] {
  const spans = run.trace.filter((e) => e.ph === 'X');
  const tracks: Track[] = [];
  for (const e of run.trace) {
    if (e.ph !== 'M' || e.name !== 'thread_name') continue;
    const name = String(e.args?.name ?? e.tid);
    const own = spans.filter((s) => s.tid === e.tid);
    if (own.length === 0) continue;
    const replica = /^(.*)#(\d+)$/.exec(name);
    tracks.push(
      replica
        ? { tid: e.tid, stage: replica[1], replica: Number(replica[2]), spans: own }
        : { tid: e.tid, stage: name, spans: own },
    );
  }
  const order = run.metrics.stages.map((s) => s.stage);
  const rank = (stage: string) => (order.includes(stage) ? order.indexOf(stage) : order.length);
  const stages = [...new Set(tracks.map((t) => t.stage))].sort((a, b) => rank(a) - rank(b));
  return stages.map((stage) =>
    tracks.filter((t) => t.stage === stage).sort((a, b) => (a.replica ?? 0) - (b.replica ?? 0)),
  );
}

export function timelineSvg(run: BenchRun, scale: TimeScale): string {
  const x = (us: number) => LABEL_WIDTH + (us / 1e6) * scale.pxPerSecond;
  const width = Math.ceil(x(scale.seconds * 1e6) + RIGHT_PAD);
  const startupMs = run.metrics.startupMs;
  const hasStartup = recorded(startupMs);
  const groups = stageTracks(run);
  const trackRows = groups.reduce((n, g) => n + g.length, 0);
  const top = hasStartup ? ROW : 0;
  const rowsHeight = top + trackRows * ROW;
  const height = rowsHeight + AXIS;
  const parts: string[] = [];
  if (hasStartup) parts.push(startupRow(startupMs, x, rowsHeight));
  let row = 0;
  groups.forEach((tracks, g) => {
    const hue = (g * 67) % 360;
    const y0 = top + row * ROW;
    const rows = tracks.map((t, i) => trackRow(t, top + (row + i) * ROW, hue, x));
    const bracket =
      tracks.length > 1
        ? `<line x1="${LABEL_WIDTH - 30}" y1="${y0 + 3}" x2="${LABEL_WIDTH - 30}" y2="${y0 + tracks.length * ROW - 3}" stroke="#888"/>`
        : '';
    const label = `<text class="stage-label" x="4" y="${y0 + 14}">${escapeHtml(tracks[0].stage)}${tracks.length > 1 ? ` ×${tracks.length}` : ''}</text>`;
    parts.push(
      `<g class="stage" data-stage="${escapeHtml(tracks[0].stage)}" data-replicas="${tracks.length}">${label}${bracket}${rows.join('')}</g>`,
    );
    row += tracks.length;
  });
  parts.push(axis(scale, x, rowsHeight));
  parts.push(wallMarker(run.metrics.wallMs, x, rowsHeight));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" data-clip="${run.clipSeconds}" data-mode="${run.mode}" data-repeat="${run.repeat}" width="${width}" height="${height}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`;
}

function startupRow(startupMs: number, x: (us: number) => number, rowsHeight: number): string {
  const end = x(startupMs * 1000);
  const w = Math.max(1, end - LABEL_WIDTH);
  const text = `start-up ${seconds(startupMs)}`;
  // Inside the span when it fits (about 7 px a character at 12 px), else just after it.
  const inside = w > text.length * 7 + 8;
  const tx = inside ? LABEL_WIDTH + 4 : end + 4;
  return (
    `<rect class="startup-band" x="${LABEL_WIDTH}" y="0" width="${w.toFixed(1)}" height="${rowsHeight}" fill="#f2f2f2"/>` +
    `<g class="timeline-row startup"><text x="4" y="14" fill="#555">start-up</text>` +
    `<rect class="startup-span" x="${LABEL_WIDTH}" y="3" width="${w.toFixed(1)}" height="${ROW - 6}" fill="#bbb"><title>${text}: workers, sessions, warm-up</title></rect>` +
    `<text class="startup-label" x="${tx.toFixed(1)}" y="14" fill="#222">${text}</text></g>`
  );
}

function trackRow(track: Track, y: number, hue: number, x: (us: number) => number): string {
  const name = track.replica === undefined ? track.stage : `${track.stage}#${track.replica}`;
  const replica =
    track.replica === undefined
      ? ''
      : `<text x="${LABEL_WIDTH - 6}" y="${y + 14}" text-anchor="end" fill="#666">#${track.replica}</text>`;
  const bars = track.spans.map((s) => {
    const w = Math.max(1, x(s.ts + (s.dur ?? 0)) - x(s.ts));
    return `<rect class="span" x="${x(s.ts).toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="hsl(${hue},60%,55%)"><title>${escapeHtml(s.name)}: ${seconds((s.dur ?? 0) / 1000, 3)}</title></rect>`;
  });
  return `<g class="timeline-row track" data-track="${escapeHtml(name)}">${replica}${bars.join('')}</g>`;
}

function axis(scale: TimeScale, x: (us: number) => number, y: number): string {
  const ticks = scale.ticks.map((t) => {
    const tx = x(t * 1e6).toFixed(1);
    return `<line x1="${tx}" y1="${y}" x2="${tx}" y2="${y + 4}" stroke="#444"/><text x="${tx}" y="${y + 16}" text-anchor="middle" font-size="11">${t} s</text>`;
  });
  return `<g class="axis"><line x1="${LABEL_WIDTH}" y1="${y}" x2="${x(scale.seconds * 1e6).toFixed(1)}" y2="${y}" stroke="#444"/>${ticks.join('')}</g>`;
}

function wallMarker(wallMs: number, x: (us: number) => number, rowsHeight: number): string {
  const wx = x(wallMs * 1000).toFixed(1);
  return `<line class="wall-end" x1="${wx}" y1="0" x2="${wx}" y2="${rowsHeight}" stroke="#c00" stroke-dasharray="3 3"><title>wall ${seconds(wallMs)}</title></line>`;
}

function traceEndUs(trace: readonly TraceEvent[]): number {
  // A reduce, not Math.max(...spread): a long run's trace can hold more spans than a call takes arguments.
  return trace.reduce((end, e) => (e.ph === 'X' ? Math.max(end, e.ts + (e.dur ?? 0)) : end), 0);
}
