/**
 * Progress of `reel run`: the view follows the outputs' chunks and the clip's length, the line
 * says media done of total, chunk, RTF and an ETA paced from the first chunk written; the CLI
 * prints one JSON event per chunk when asked, and only the files written with --quiet.
 */
import { describe, expect, it } from 'vitest';
import { applyChildEvent } from '../../src/cli/bench-progress.ts';
import { applyRunEvent, runEtaMs, runStatusLine, type RunProgressView } from '../../src/cli/run-progress.ts';
import type { ChunkInfo } from '../../src/core/types.ts';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, runCli, runReelBinary } from '../helpers/cli.ts';

const VOICE = 'samples/talking-head/long/voice.wav';
const chunk = (index: number, start: number, end: number): ChunkInfo => ({
  clipId: 'c',
  index,
  start,
  end,
  last: false,
});

describe('run progress view', () => {
  it('counts the outputs chunks only, and paces the ETA from the first one', () => {
    const view: RunProgressView = { startedAt: 0, seconds: 0, chunks: 0 };
    const sinks = new Set(['converted']);
    expect(applyRunEvent(view, sinks, { type: 'length', seconds: 30 }, 100)).toBe(false);
    expect(applyRunEvent(view, sinks, { type: 'chunk', stage: 'convert', chunk: chunk(0, 0, 10), ms: 5 }, 900)).toBe(
      false,
    );
    expect(applyRunEvent(view, sinks, { type: 'chunk', stage: 'converted', chunk: chunk(0, 0, 10), ms: 1 }, 1000)).toBe(
      true,
    );
    // One chunk: no pace yet (the first chunk's time is mostly start-up).
    expect(runEtaMs(view, 1000)).toBeUndefined();
    applyRunEvent(view, sinks, { type: 'chunk', stage: 'converted', chunk: chunk(1, 10, 20), ms: 1 }, 1500);
    // 10 s of media in 0.5 s since the first chunk: the last 10 s take 0.5 s more.
    expect(runEtaMs(view, 1500)).toBeCloseTo(500);
    expect(runStatusLine(view, 1500)).toBe(
      'reel run: 20.0 of 30.0 s of media (67%), chunk 2, RTF 0.07, 1.5 s, ETA 0.5 s',
    );
  });

  it('shows the step of a denoising loop while it runs, and drops it when the loop ends', () => {
    const view: RunProgressView = { startedAt: 0, seconds: 0, chunks: 0 };
    expect(applyRunEvent(view, new Set(), { type: 'step', stage: 'denoiser', done: 12, total: 50 }, 600)).toBe(true);
    expect(runStatusLine(view, 600)).toBe('reel run: 0.0 s of media, chunk 0, denoiser step 12/50, 0.6 s');
    applyRunEvent(view, new Set(), { type: 'step', stage: 'denoiser', done: 50, total: 50 }, 900);
    expect(runStatusLine(view, 900)).toBe('reel run: starting, 0.9 s');
  });

  it('says no total and no ETA when the clip length is unknown (a TTS decides it)', () => {
    const view: RunProgressView = { startedAt: 0, seconds: 0, chunks: 0 };
    applyRunEvent(view, new Set(['speech']), { type: 'chunk', stage: 'speech', chunk: chunk(0, 0, 4), ms: 1 }, 2000);
    expect(runStatusLine(view, 2000)).toBe('reel run: 4.0 s of media, chunk 1, RTF 0.50, 2.0 s');
  });

  it('reel bench draws its child run from the --progress json events of that run, under its own label', () => {
    const view: RunProgressView = { startedAt: 0, seconds: 0, chunks: 0 };
    expect(applyChildEvent(view, 'warning: stage "a": provider cpu (not cuda: x)', 100)).toBe(false);
    expect(applyChildEvent(view, '{"type":"progress","seconds":5,"total":20,"chunks":1}', 1000)).toBe(true);
    expect(applyChildEvent(view, '{"type":"progress","seconds":10,"total":20,"chunks":2}', 1500)).toBe(true);
    expect(applyChildEvent(view, '{"type":"progr', 1600)).toBe(false); // a cut line is not an event
    expect(runStatusLine(view, 1500, 'reel bench: run 2/4, 20 s pipelined #1')).toBe(
      'reel bench: run 2/4, 20 s pipelined #1: 10.0 of 20.0 s of media (50%), chunk 2, RTF 0.15, 1.5 s, ETA 1.0 s',
    );
  });
});

describe('reel run --progress', () => {
  const run = (dir: string, ...flags: string[]) =>
    runCli(['run', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--out', dir, ...flags]);

  it('json: one event per chunk written, rising to the clip length', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/reel-progress-`);
    const r = await run(`${dir}/json`, '--progress', 'json', '--set', 'chunking.seconds=1');
    expect(r.code).toBe(0);
    const events = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; seconds: number; total: number; chunks: number });
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.map((e) => e.chunks)).toEqual(events.map((_, i) => i + 1));
    for (let i = 1; i < events.length; i++) expect(events[i].seconds).toBeGreaterThan(events[i - 1].seconds);
    const last = events[events.length - 1];
    expect(last.total).toBeGreaterThan(3);
    expect(last.seconds).toBeCloseTo(last.total, 3);

    // --quiet prints only the file written: no progress, budget or summary.
    const quiet = await run(`${dir}/quiet`, '--quiet');
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.trim()).toBe(`converted: ${dir}/quiet/converted.wav`);
  });

  it('json: text-to-video reports each denoising step of each window from its worker; the trace has a span per step', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/reel-progress-t2v-`);
    const r = await runCli([
      'run',
      'pipelines/text-to-video.yaml',
      '--input',
      'prompt=samples/text-to-video/a-lighthouse/prompt.txt',
      '--out',
      dir,
      '--progress',
      'json',
      '--set',
      'stages.denoiser.options.steps=3',
      // 25 frames = 7 latent frames: windows of 5 overlapping by 3 start at 0 and 2.
      '--set',
      'stages.denoiser.options.frames=25',
      '--set',
      'stages.denoiser.options.windowLatentFrames=5',
      '--set',
      'stages.denoiser.options.overlapLatentFrames=3',
      '--trace',
      `${dir}/trace.json`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const steps = r.stderr
      .split('\n')
      .filter((l) => l.includes('"type":"step"'))
      .map((l) => JSON.parse(l) as { stage: string; done: number; total: number });
    const window = (of: string) =>
      [0, 1, 2, 3].map((done) => ({ type: 'step', stage: 'denoiser', done, total: 3, of }));
    expect(steps).toEqual([...window('window 1 of 2'), ...window('window 2 of 2')]);
    const { readFile } = await import('node:fs/promises');
    const trace = JSON.parse(await readFile(`${dir}/trace.json`, 'utf8')) as {
      traceEvents: { ph: string; name: string; tid: number; args?: { name?: string } }[];
    };
    const track = trace.traceEvents.find((e) => e.ph === 'M' && e.args?.name === 'denoiser steps')?.tid;
    const spans = trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === track).map((e) => e.name);
    expect(spans).toEqual(
      ['window 1 of 2', 'window 2 of 2'].flatMap((of) => [1, 2, 3].map((j) => `step ${j}/3 (${of})`)),
    );
  });

  it('under a pseudo-terminal the status line advances in place; piped, there is none', async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(`${tmpdir()}/reel-progress-tty-`);
    const args = ['run', 'pipelines/voice-convert.yaml', '--input', `audio=${VOICE}`, '--set', 'chunking.seconds=1'];
    const command = [process.execPath, 'bin/reel.js', ...args, '--out', `${dir}/tty`].map((a) => `'${a}'`).join(' ');
    // script(1) (util-linux, in every Debian) gives the run a terminal on both streams.
    const tty = spawnSync('script', ['-qec', `stty cols 120 rows 40; ${command}`, '/dev/null'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(tty.status).toBe(0);
    const chunks = [...tty.stdout.matchAll(/reel run: [\d.]+ of [\d.]+ s of media \(\d+%\), chunk (\d+)/g)].map((m) =>
      Number(m[1]),
    );
    expect(Math.max(...chunks)).toBeGreaterThanOrEqual(3);
    expect(chunks).toEqual([...chunks].sort((a, b) => a - b));
    expect(tty.stdout).toContain('\u001b[2K'); // redrawn in place (the line erased), not printed line after line
    expect(tty.stdout).toMatch(/done in [\d.]+ s/);

    const piped = runReelBinary([...args, '--out', `${dir}/piped`]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain('reel run:');
    expect(piped.stderr).not.toContain('\u001b[');
  });

  it('refuses an unknown mode before anything runs', async () => {
    const r = await run('/tmp/reel-progress-never', '--progress', 'jsn');
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `error: option '--progress <mode>' argument 'jsn' is invalid. expected auto, plain or json — did you mean "json"?`,
    );
  });
});
