/**
 * `reel bench`: runs the pipeline per clip length and mode in fresh processes, writes a CSV row
 * per run and an HTML report (checked in headless Chromium), prints the paths it wrote, and
 * refuses an output path in a missing folder before the first run.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { runCli } from '../helpers/cli.ts';

/** The real report, opened in headless Chromium: what a person would see of the four runs. */
async function checkDrawn(html: string): Promise<void> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setContent(html);
    const env = await page
      .locator('dl.env div')
      .evaluateAll((items) =>
        Object.fromEntries(items.map((d) => [d.querySelector('dt')?.textContent, d.querySelector('dd')?.textContent])),
      );
    const ort = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
    expect(env).toMatchObject({
      cores: String(os.availableParallelism()),
      node: process.version,
      'onnxruntime-node': ort,
      providers: 'cpu',
    });
    for (const mode of ['pipelined', 'sequential']) {
      expect(await page.locator(`.rtf-chart .rtf-line[data-mode="${mode}"]`).count()).toBe(1);
      expect(await page.locator(`.rtf-chart .rtf-point[data-mode="${mode}"]`).count()).toBe(2);
    }
    const timelines = page.locator('svg.timeline');
    expect(await timelines.count()).toBe(4);
    for (const timeline of await timelines.all()) {
      const stages = await timeline.locator('g.stage').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-stage')));
      expect(stages).toEqual(['audio', 'content', 'convert', 'converted']);
      // A start-up row above one row per track (a replicated stage has one track per replica).
      const tracks = await timeline.locator('.track').count();
      expect(await timeline.locator('.timeline-row').count()).toBe(1 + tracks);
      expect(await timeline.locator('.startup-label').textContent()).toMatch(/^start-up \d+\.\d\d s$/);
    }
    expect(await page.locator('table.breakdown').count()).toBe(4);
  } finally {
    await browser.close();
  }
}

describe('reel bench', () => {
  it('measures voice-convert at two clip lengths, pipelined and sequential', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reel-bench-test-'));
    const csv = path.join(dir, 'bench.csv');
    const html = path.join(dir, 'bench.html');
    const r = await runCli([
      'bench',
      'pipelines/voice-convert.yaml',
      '--input',
      'audio=samples/talking-head/short/voice.wav',
      '--clip-seconds',
      '2,6',
      '--csv',
      csv,
      '--html',
      html,
    ]);
    expect(r.code).toBe(0);
    const [header, ...rows] = (await readFile(csv, 'utf8')).trim().split('\n');
    expect(header.split(',').slice(0, 8)).toEqual([
      'clip_s',
      'mode',
      'repeat',
      'wall_s',
      'startup_s',
      'rtf',
      'clips_per_s',
      'peak_rss_mib',
    ]);
    expect(rows.map((row) => row.split(',').slice(0, 2).join(' '))).toEqual([
      '2 pipelined',
      '2 sequential',
      '6 pipelined',
      '6 sequential',
    ]);
    for (const row of rows) {
      const [, , , wall, startup, rtf, , rss] = row.split(',').map(Number);
      expect(wall).toBeGreaterThan(startup);
      expect(rtf).toBeGreaterThan(0);
      expect(rss).toBeGreaterThan(50);
    }
    expect(r.stdout.trim().split('\n').slice(-2)).toEqual([`wrote ${csv}`, `wrote ${html}`]);
    await checkDrawn(await readFile(html, 'utf8'));
  });

  it('checks the output folders before the first run', async () => {
    const missing = path.join(os.tmpdir(), 'reel-bench-no-such-folder', 'bench.html');
    const r = await runCli([
      'bench',
      'pipelines/voice-convert.yaml',
      '--input',
      'audio=samples/talking-head/short/voice.wav',
      '--html',
      missing,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`--html ${missing}: folder ${path.dirname(missing)} does not exist — create it first`);
    expect(r.stdout).toBe('');
    const folder = await mkdtemp(path.join(os.tmpdir(), 'reel-bench-test-'));
    const voice = 'audio=samples/talking-head/short/voice.wav';
    const asFolder = await runCli(['bench', 'pipelines/voice-convert.yaml', '--input', voice, '--csv', folder]);
    expect(asFolder.code).toBe(2);
    expect(asFolder.stderr.trim()).toBe(`--csv ${folder}: is a folder — give the path of a new or regular file`);
  });

  it('refuses a bad clip length list with exit 2', async () => {
    const r = await runCli([
      'bench',
      'pipelines/voice-convert.yaml',
      '--input',
      'audio=samples/talking-head/short/voice.wav',
      '--clip-seconds',
      '5,ten',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      '--clip-seconds 5,ten: expected seconds above 0, at most 3600 (the inputs are looped to each length on the temporary disk), e.g. --clip-seconds 5,10,30',
    );
  });
});
