/**
 * The bench report as a person sees it: the page is opened in headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core) and the test reads what was laid out — the
 * environment header, one line per mode and a dashed bound line per mode on the chart, every
 * run's timeline rows at one time scale with start-up as its own labelled span, replicas grouped
 * under their stage, and the per-stage breakdown. Metrics and traces are built here, so the
 * expected geometry is known exactly.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchEnvironment } from '../../src/metrics/bench-environment.ts';
import { benchCsv, benchHtml, type BenchRun } from '../../src/metrics/bench-report.ts';
import type { RunMetrics, StageMetrics } from '../../src/metrics/stage-metrics.ts';
import type { TraceEvent } from '../../src/metrics/trace.ts';

const CHROMIUM = '/usr/bin/chromium';

const environment: BenchEnvironment = {
  cores: 16,
  memoryBytes: 64 * 2 ** 30,
  cpu: 'Test CPU',
  platform: 'linux x64',
  node: 'v20.19.0',
  onnxruntime: '1.30.0',
  providers: 'cpu',
};

const stage = (name: string, kind: string, busyMs: number, extra: Partial<StageMetrics> = {}): StageMetrics => ({
  stage: name,
  kind,
  packets: 1,
  busyMs,
  waitInputMs: 100,
  waitNeighboursMs: 20,
  blockedOutputMs: 30,
  maxQueueDepth: 1,
  latencyP50Ms: busyMs,
  latencyP95Ms: busyMs,
  replicas: 1,
  intraOp: 1,
  utilisation: 0.5,
  ...extra,
});

/**
 * A voice-convert-shaped run: start-up, then one span per stage per 2 s chunk; `convert` on
 * `replicas` tracks named `convert#i` when replicated, as the runtime names them.
 */
function run(clipSeconds: number, mode: BenchRun['mode'], replicas: number): BenchRun {
  const startupMs = 2000;
  const chunks = clipSeconds / 2;
  const chunkMs = mode === 'pipelined' ? 300 : 500;
  const wallMs = startupMs + chunks * chunkMs + 400;
  const tracks = [
    'audio',
    'content',
    ...(replicas > 1 ? [...Array(replicas).keys()].map((i) => `convert#${i}`) : ['convert']),
  ];
  const trace: TraceEvent[] = tracks.map((name, i) => ({
    name: 'thread_name',
    ph: 'M',
    ts: 0,
    pid: 1,
    tid: i + 1,
    args: { name },
  }));
  for (let c = 0; c < chunks; c++) {
    const t0 = (startupMs + c * chunkMs) * 1000;
    trace.push({ name: `audio #${c}`, ph: 'X', ts: t0, dur: 50_000, pid: 1, tid: 1 });
    trace.push({ name: `content #${c}`, ph: 'X', ts: t0 + 50_000, dur: 100_000, pid: 1, tid: 2 });
    trace.push({ name: `convert #${c}`, ph: 'X', ts: t0 + 150_000, dur: 400_000, pid: 1, tid: 3 + (c % replicas) });
  }
  const metrics: RunMetrics = {
    pipeline: 'voice-convert',
    mode,
    wallMs,
    mediaSeconds: 5 * chunks,
    startupMs,
    peakRssBytes: 200 * 2 ** 20,
    processPeakRssBytes: 210 * 2 ** 20,
    stages: [
      stage('audio', 'audio-source', chunks * 50),
      stage('content', 'content-encoder', chunks * 100),
      stage('convert', 'rvc', chunks * 400, { replicas, utilisation: 0.9 }),
    ],
    cores: 16,
    memoryEstimateBytes: 400 * 2 ** 20,
    budget: `convert ×${replicas}, content 1 thread`,
    bottleneck: 'convert',
    boundMs: startupMs + (chunks * 400) / replicas,
    efficiency: (startupMs + (chunks * 400) / replicas) / wallMs,
  };
  return { clipSeconds, mode, repeat: 1, metrics, trace };
}

const runs = [run(4, 'pipelined', 3), run(4, 'sequential', 1), run(12, 'pipelined', 3), run(12, 'sequential', 1)];

/** A metrics file from before the runtime recorded replicas, utilisation and the bound. */
function olderRun(): BenchRun {
  const r = run(4, 'pipelined', 1);
  const { cores, budget, bottleneck, boundMs, efficiency, ...metrics } = r.metrics;
  const stages = metrics.stages.map(({ replicas, intraOp, utilisation, ...s }) => s);
  return { ...r, metrics: { ...metrics, stages } as unknown as RunMetrics };
}

/** Polyline points as numbers: [[x, y], …]. */
async function polyline(page: Page, selector: string): Promise<number[][]> {
  const points = await page.locator(selector).getAttribute('points');
  return (points ?? '').split(' ').map((p) => p.split(',').map(Number));
}

describe('bench report in headless Chromium', () => {
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage();
    await page.setContent(benchHtml({ pipeline: 'voice-convert', runs, environment }));
  });
  afterAll(async () => browser?.close());

  it('shows the environment: cores, memory, node, ONNX Runtime and providers', async () => {
    const env = await page
      .locator('dl.env div')
      .evaluateAll((items) =>
        Object.fromEntries(items.map((d) => [d.querySelector('dt')?.textContent, d.querySelector('dd')?.textContent])),
      );
    expect(env).toMatchObject({
      cores: '16',
      memory: '64.0 GiB',
      node: 'v20.19.0',
      'onnxruntime-node': '1.30.0',
      providers: 'cpu',
    });
    expect(await page.locator('dl.env').isVisible()).toBe(true);
  });

  it('charts wall ÷ clip length per mode, with each mode’s bound dashed and below its line', async () => {
    for (const mode of ['pipelined', 'sequential']) {
      expect(await page.locator(`.rtf-chart polyline.rtf-line[data-mode="${mode}"]`).count()).toBe(1);
      expect(await page.locator(`.rtf-chart polyline.bound-line[data-mode="${mode}"]`).count()).toBe(1);
      expect(
        await page.locator(`.rtf-chart polyline.bound-line[data-mode="${mode}"]`).getAttribute('stroke-dasharray'),
      ).toBeTruthy();
      expect(await page.locator(`.rtf-chart circle.rtf-point[data-mode="${mode}"]`).count()).toBe(2);
      const line = await polyline(page, `.rtf-chart .rtf-line[data-mode="${mode}"]`);
      const bound = await polyline(page, `.rtf-chart .bound-line[data-mode="${mode}"]`);
      expect(line).toHaveLength(2);
      // One point per clip length, left to right; a bound is faster (lower, so larger SVG y) than the run.
      expect(line[1][0]).toBeGreaterThan(line[0][0]);
      expect(bound.map((p) => p[0])).toEqual(line.map((p) => p[0]));
      for (let i = 0; i < 2; i++) expect(bound[i][1]).toBeGreaterThan(line[i][1]);
      // Start-up spreads over a longer clip: wall ÷ clip falls (rises on screen) with clip length.
      expect(line[1][1]).toBeGreaterThan(line[0][1]);
    }
    const box = await page.locator('.rtf-chart').boundingBox();
    expect(box?.width).toBeGreaterThan(500);
  });

  it('draws every run’s timeline: a start-up row, then a row per track, replicas grouped under their stage', async () => {
    expect(await page.locator('svg.timeline').count()).toBe(4);
    const pipelined = page.locator('svg.timeline[data-mode="pipelined"][data-clip="12"]');
    // start-up + audio + content + convert#0..2
    expect(await pipelined.locator('.timeline-row').count()).toBe(6);
    expect(await pipelined.locator('g.stage[data-stage="convert"] .track').count()).toBe(3);
    expect(await pipelined.locator('g.stage[data-stage="convert"] .stage-label').textContent()).toBe('convert ×3');
    expect(await page.locator('svg.timeline[data-mode="sequential"][data-clip="12"] .timeline-row').count()).toBe(4);
    const labels = await page.locator('.startup-label').allTextContents();
    expect(labels).toEqual(['start-up 2.00 s', 'start-up 2.00 s', 'start-up 2.00 s', 'start-up 2.00 s']);
    expect(await page.locator('.startup-label').first().isVisible()).toBe(true);
  });

  it('puts every timeline on one time scale', async () => {
    // Equal start-ups are equally wide in every run, and the wall-time marker sits at wall × the same px per second.
    const startups = await page
      .locator('.startup-span')
      .evaluateAll((rects) => rects.map((r) => r.getBoundingClientRect().width));
    expect(Math.max(...startups) - Math.min(...startups)).toBeLessThan(0.5);
    const pxPerSecond = startups[0] / 2;
    const ends = await page
      .locator('svg.timeline')
      .evaluateAll((svgs) =>
        svgs.map(
          (s) =>
            s.querySelector('.wall-end')!.getBoundingClientRect().x -
            s.querySelector('.startup-span')!.getBoundingClientRect().x,
        ),
      );
    const walls = runs.map((r) => r.metrics.wallMs / 1000);
    ends.forEach((px, i) => expect(px / pxPerSecond).toBeCloseTo(walls[i], 1));
    // Last spans end at 2.85 s (4 s pipelined) and 5.05 s (12 s sequential): 2.2 s apart at the same scale.
    const lastBar = await page
      .locator('svg.timeline')
      .evaluateAll((svgs) =>
        svgs.map((s) => Math.max(...[...s.querySelectorAll('.span')].map((b) => b.getBoundingClientRect().right))),
      );
    expect((lastBar[3] - lastBar[0]) / pxPerSecond).toBeCloseTo(2.2, 1);
  });

  it('breaks each run down per stage, replicas and bottleneck included', async () => {
    expect(await page.locator('table.breakdown').count()).toBe(4);
    const row = page.locator(
      'table.breakdown[data-mode="pipelined"][data-clip="12"] tr.stage-row[data-stage="convert"]',
    );
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(1, 10)).toEqual(['rvc', '3', '1', '1', '2.40 s', '0.10 s', '0.02 s', '0.03 s', '90%']);
    expect(await row.getAttribute('class')).toContain('bottleneck');
    // The bar's compute part is drawn wider than its wait-input part (2.4 s against 0.1 s).
    const widths = await row
      .locator('.stage-bar rect')
      .evaluateAll((rs) => rs.map((r) => r.getBoundingClientRect().width));
    expect(widths[0]).toBeGreaterThan(20 * widths[1]);
  });

  it('draws a metrics file without replicas or a bound: no bound line, dashes in the table', async () => {
    const older = await browser.newPage();
    await older.setContent(benchHtml({ pipeline: 'voice-convert', runs: [olderRun()], environment }));
    expect(await older.locator('.rtf-line').count()).toBe(1);
    expect(await older.locator('.bound-line').count()).toBe(0);
    expect(await older.locator('.legend-entry').textContent()).toContain('bound not recorded');
    expect(await older.locator('.startup-label').textContent()).toBe('start-up 2.00 s');
    const cells = await older.locator('tr.stage-row[data-stage="convert"] td').allTextContents();
    expect([cells[2], cells[3], cells[9]]).toEqual(['–', '–', '–']);
    await older.close();
  });
});

describe('bench CSV', () => {
  it('appends cores, bottleneck, bound and efficiency after the per-stage columns', () => {
    const [header, first] = benchCsv(runs.slice(0, 1)).trim().split('\n');
    const columns = header.split(',');
    expect(columns.slice(-4)).toEqual(['cores', 'bottleneck', 'bound_s', 'efficiency']);
    expect(columns.indexOf('convert_busy_ms')).toBeLessThan(columns.indexOf('cores'));
    const values = Object.fromEntries(columns.map((c, i) => [c, first.split(',')[i]]));
    expect(values).toMatchObject({ cores: '16', bottleneck: 'convert', bound_s: '2.267', efficiency: '0.756' });
  });

  it('leaves the new columns empty for an older metrics file', () => {
    const [header, first] = benchCsv([olderRun()]).trim().split('\n');
    expect(header.split(',').slice(-4)).toEqual(['cores', 'bottleneck', 'bound_s', 'efficiency']);
    expect(first.split(',').slice(-4)).toEqual(['', '', '', '']);
  });
});
