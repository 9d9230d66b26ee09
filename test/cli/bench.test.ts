/**
 * `reel bench`: runs the pipeline per clip length and mode in fresh processes, and writes a CSV
 * row per run and an HTML report with a timeline per run.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

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
    const page = await readFile(html, 'utf8');
    expect(page.match(/<svg /g)).toHaveLength(4);
    expect(page).toContain('>convert</text>');
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
    expect(r.stderr.trim()).toBe('--clip-seconds 5,ten: expected positive seconds, e.g. --clip-seconds 5,10,30');
  });
});
