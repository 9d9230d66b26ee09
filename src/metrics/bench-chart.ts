/**
 * The bench report's chart: wall time ÷ clip length against clip length, one solid line per mode
 * (through the median of its repeats, a dot per run), and per mode the run's bound — start-up plus
 * max(busiest stage's compute ÷ its replicas, total compute ÷ cores) — as a dashed line of the
 * same colour. Both include start-up, so the gap between them is what overlap and cores left on
 * the table, and both fall with clip length as start-up spreads over more seconds.
 */
import type { BenchRun } from './bench-report.ts';
import { escapeHtml, niceTicks, recorded } from './report-html.ts';

const MODE_COLOURS: Record<string, string> = { pipelined: '#1f6fb4', sequential: '#d0452f' };
const MARGIN = { left: 56, right: 200, top: 16, bottom: 44 };

interface Point {
  clip: number;
  y: number;
}

export function rtfChartSvg(runs: readonly BenchRun[], width = 760, height = 320): string {
  const modes = [...new Set(runs.map((r) => r.mode))];
  const clips = [...new Set(runs.map((r) => r.clipSeconds))].sort((a, b) => a - b);
  const series = modes.map((mode) => {
    const own = runs.filter((r) => r.mode === mode);
    const dots = own.map((r) => ({
      clip: r.clipSeconds,
      y: r.metrics.wallMs / 1000 / r.clipSeconds,
      repeat: r.repeat,
    }));
    const line = medianPerClip(dots);
    const bound = medianPerClip(
      own
        .filter((r) => recorded(r.metrics.boundMs))
        .map((r) => ({ clip: r.clipSeconds, y: r.metrics.boundMs / 1000 / r.clipSeconds })),
    );
    return { mode, colour: MODE_COLOURS[mode] ?? '#555', dots, line, bound };
  });
  const yTicks = niceTicks(Math.max(0.01, ...series.flatMap((s) => [...s.dots, ...s.bound].map((p) => p.y))) * 1.05, 5);
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top };
  const xOf = clipAxis(clips, plot.x0, plot.x1);
  const yOf = (y: number) => plot.y0 - (y / yTicks.at(-1)!) * (plot.y0 - plot.y1);
  const pts = (ps: readonly Point[]) => ps.map((p) => `${xOf(p.clip).toFixed(1)},${yOf(p.y).toFixed(1)}`).join(' ');
  const parts: string[] = [];
  for (const t of yTicks) {
    const y = yOf(t).toFixed(1);
    parts.push(
      `<line x1="${plot.x0}" y1="${y}" x2="${plot.x1}" y2="${y}" stroke="#e4e4e4"/><text x="${plot.x0 - 6}" y="${Number(y) + 4}" text-anchor="end">${t}</text>`,
    );
  }
  if (yTicks.at(-1)! >= 1) {
    const y = yOf(1).toFixed(1);
    parts.push(
      `<line class="real-time" x1="${plot.x0}" y1="${y}" x2="${plot.x1}" y2="${y}" stroke="#999"/><text x="${plot.x0 + 4}" y="${Number(y) - 4}" fill="#777">real time</text>`,
    );
  }
  for (const c of clips) {
    const x = xOf(c).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${plot.y0}" x2="${x}" y2="${plot.y0 + 4}" stroke="#444"/><text x="${x}" y="${plot.y0 + 17}" text-anchor="middle">${c}</text>`,
    );
  }
  parts.push(
    `<line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x1}" y2="${plot.y0}" stroke="#444"/><line x1="${plot.x0}" y1="${plot.y0}" x2="${plot.x0}" y2="${plot.y1}" stroke="#444"/>`,
    `<text x="${(plot.x0 + plot.x1) / 2}" y="${height - 8}" text-anchor="middle">clip length, s</text>`,
    `<text transform="translate(14,${(plot.y0 + plot.y1) / 2}) rotate(-90)" text-anchor="middle">wall ÷ clip length</text>`,
  );
  for (const s of series) {
    const mode = escapeHtml(s.mode);
    parts.push(
      `<polyline class="rtf-line" data-mode="${mode}" points="${pts(s.line)}" fill="none" stroke="${s.colour}" stroke-width="2"/>`,
    );
    if (s.bound.length)
      parts.push(
        `<polyline class="bound-line" data-mode="${mode}" points="${pts(s.bound)}" fill="none" stroke="${s.colour}" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      );
    for (const d of s.dots)
      parts.push(
        `<circle class="rtf-point" data-mode="${mode}" data-clip="${d.clip}" cx="${xOf(d.clip).toFixed(1)}" cy="${yOf(d.y).toFixed(1)}" r="3.5" fill="${s.colour}"><title>${mode}, ${d.clip} s clip, #${d.repeat}: ${d.y.toFixed(3)}</title></circle>`,
      );
  }
  parts.push(legend(series, plot.x1 + 16, plot.y1));
  return `<svg xmlns="http://www.w3.org/2000/svg" class="rtf-chart" width="${width}" height="${height}" font-family="sans-serif" font-size="12">${parts.join('')}</svg>`;
}

function legend(series: readonly { mode: string; colour: string; bound: readonly Point[] }[], x: number, y: number) {
  return series
    .map((s, i) => {
      const top = y + i * 40;
      const mode = escapeHtml(s.mode);
      const bound = s.bound.length ? 'bound' : 'bound not recorded';
      return (
        `<g class="legend-entry" data-mode="${mode}"><line x1="${x}" y1="${top + 6}" x2="${x + 24}" y2="${top + 6}" stroke="${s.colour}" stroke-width="2"/><text x="${x + 30}" y="${top + 10}">${mode}</text>` +
        `<line x1="${x}" y1="${top + 24}" x2="${x + 24}" y2="${top + 24}" stroke="${s.colour}" stroke-width="1.5" stroke-dasharray="6 4"/><text x="${x + 30}" y="${top + 28}">${bound}</text></g>`
      );
    })
    .join('');
}

/** Linear from 0, or logarithmic when the lengths span more than 20× (5 s and 600 s on one axis). */
function clipAxis(clips: readonly number[], x0: number, x1: number): (clip: number) => number {
  const lo = clips[0] ?? 1;
  const hi = clips.at(-1) ?? 1;
  const pad = 0.04 * (x1 - x0);
  if (hi / lo > 20) {
    const span = Math.log(hi / lo);
    return (c) => x0 + pad + (Math.log(c / lo) / span) * (x1 - x0 - 2 * pad);
  }
  return (c) => x0 + (c / hi) * (x1 - x0 - pad);
}

function medianPerClip(points: readonly Point[]): Point[] {
  const clips = [...new Set(points.map((p) => p.clip))].sort((a, b) => a - b);
  return clips.map((clip) => {
    const ys = points
      .filter((p) => p.clip === clip)
      .map((p) => p.y)
      .sort((a, b) => a - b);
    const mid = Math.floor(ys.length / 2);
    return { clip, y: ys.length % 2 ? ys[mid] : (ys[mid - 1] + ys[mid]) / 2 };
  });
}
