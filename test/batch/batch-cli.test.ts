/**
 * `reel batch` as a user runs it, on voice-convert (one input, `audio`) over a real folder: good
 * samples render to `<out>/<sample>/`, bad ones are reported with their reasons and exit 3; a
 * re-run skips what is done and verified, and redoes only a sample whose input changed; a batch
 * killed with SIGKILL partway finishes on the next run with no sample rendered twice.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loopClip } from '../../src/media/loop-clip.ts';
import { filesUnder, statuses } from '../helpers/batch-output.ts';
import { REPO_ROOT, runCli, runReelBinary } from '../helpers/cli.ts';

const SHORT = path.join(REPO_ROOT, 'samples/talking-head/short/voice.wav');
const LONG = path.join(REPO_ROOT, 'samples/talking-head/long/voice.wav');

async function samplesFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reel-batch-samples-'));
  await copyFile(SHORT, path.join(dir, 'talk 1.wav'));
  await copyFile(LONG, path.join(dir, '-dash ü.wav'));
  await writeFile(path.join(dir, 'corrupt.wav'), 'RIFF....WAVEfmt not really a wav file');
  await mkdir(path.join(dir, 'bob'));
  await copyFile(SHORT, path.join(dir, 'bob', 'audio.wav'));
  await mkdir(path.join(dir, 'empty'));
  return dir;
}

describe('reel batch', () => {
  let samples: string;
  beforeAll(async () => {
    samples = await samplesFolder();
  });

  it('renders the good samples, reports the bad ones with reasons, exit 3; a re-run redoes only what changed', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'reel-batch-out-'));
    const first = await runCli(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out]);
    expect(first.code).toBe(3);
    expect(await statuses(out)).toEqual({
      '-dash ü': 'done',
      bob: 'done',
      corrupt: 'failed',
      empty: 'failed',
      'talk 1': 'done',
    });
    expect(first.stdout).toMatch(/^FAIL {2}corrupt: .*corrupt\.wav.*$/m);
    expect(first.stdout).toMatch(/^FAIL {2}empty: .*$/m);
    expect(first.stderr).toMatch(
      /batch: 5 samples: 3 done, 0 already done, 2 failed, in [\d.]+ s, [\d.]+ s of media at RTF [\d.]+/,
    );
    expect(await filesUnder(out)).toEqual([
      '-dash ü/converted.wav',
      'bob/converted.wav',
      'report.csv',
      'report.html',
      'report.json',
      'talk 1/converted.wav',
    ]);
    // One engine for the batch: the second and third samples ran on the first one's stage workers
    // (content, convert), and each sample's media is counted.
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(report.totals.workersReused).toBeGreaterThanOrEqual(4);
    expect(report.totals.mediaS).toBeGreaterThan(0);
    const talk = report.samples.find((s: { id: string }) => s.id === 'talk 1');
    expect(talk.rtf).toBeCloseTo(talk.wallMs / 1000 / talk.mediaSeconds, 6);
    const page = await readFile(path.join(out, 'report.html'), 'utf8');
    expect(page.match(/<tr class="(done|failed)">/g)).toHaveLength(5);
    expect(page).toContain('<a href="-dash%20%C3%BC/converted.wav">-dash ü/converted.wav</a>');
    // The same bytes `reel run` writes for that input.
    const single = await mkdtemp(path.join(tmpdir(), 'reel-batch-single-'));
    expect(
      (await runCli(['run', 'pipelines/voice-convert.yaml', '--input', `audio=${SHORT}`, '--out', single])).code,
    ).toBe(0);
    expect(
      (await readFile(path.join(out, 'talk 1/converted.wav'))).equals(
        await readFile(path.join(single, 'converted.wav')),
      ),
    ).toBe(true);

    // Nothing changed: the good ones are skipped, the bad ones fail again (as JSON events for tools).
    const second = await runCli(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out, '--progress', 'json']);
    expect(second.code).toBe(3);
    expect(await statuses(out)).toMatchObject({ '-dash ü': 'skipped', bob: 'skipped', 'talk 1': 'skipped' });
    const events = second.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.map((e) => [e.type, e.outcome?.id, e.outcome?.status])).toEqual(
      expect.arrayContaining([
        ['finished', 'talk 1', 'skipped'],
        ['finished', 'corrupt', 'failed'],
      ]),
    );

    expect(events).toContainEqual({ type: 'listed', total: 5 });

    // One input changes: only that sample renders again, its progress reported chunk by chunk.
    await loopClip(SHORT, 2, path.join(samples, 'talk 1.wav'), 'audio');
    const third = await runCli(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out, '--progress', 'json']);
    expect(await statuses(out)).toMatchObject({ '-dash ü': 'skipped', bob: 'skipped', 'talk 1': 'done' });
    const thirdEvents = third.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const progress = thirdEvents.filter((e) => e.type === 'progress').map((e) => e.seconds);
    const rendered = thirdEvents.find((e) => e.type === 'finished' && e.outcome.id === 'talk 1').outcome;
    expect(rendered.status).toBe('done');
    // Seconds written so far rise to the sample's media length (the clip was looped to 2 s).
    expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBeCloseTo(rendered.mediaSeconds, 6);
    expect(rendered.mediaSeconds).toBeCloseTo(2, 1);

    // An output altered behind the batch's back is redone too.
    await writeFile(path.join(out, 'bob/converted.wav'), 'damaged');
    await runCli(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out]);
    expect(await statuses(out)).toMatchObject({ bob: 'done', 'talk 1': 'skipped' });
  });

  it('after SIGKILL partway, the next run finishes the rest; nothing is rendered twice, nothing partial is left', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-batch-kill-'));
    for (let i = 0; i < 4; i++) await copyFile(LONG, path.join(dir, `take ${i}.wav`));
    const out = await mkdtemp(path.join(tmpdir(), 'reel-batch-kill-out-'));
    const args = [path.join(REPO_ROOT, 'bin/reel.js'), 'batch', 'pipelines/voice-convert.yaml', dir, '--out', out];
    // Killed as soon as the first sample is reported done.
    await new Promise<void>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.setEncoding('utf8').on('data', (text: string) => {
        if (text.includes('done  ')) child.kill('SIGKILL');
      });
      child.on('exit', () => resolve());
    });
    const after = (await filesUnder(out)).filter((f) => f.endsWith('.wav'));
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(after.length).toBeLessThan(4);
    const rerun = await runCli(['batch', 'pipelines/voice-convert.yaml', dir, '--out', out]);
    expect(rerun.code).toBe(0);
    const st = await statuses(out);
    // The ones finished before the kill are skipped, not rendered again.
    for (const f of after) expect(st[path.dirname(f)]).toBe('skipped');
    expect(Object.values(st).filter((s) => s === 'done').length).toBe(4 - after.length);
    // No temporary or partial file anywhere.
    expect(await filesUnder(out)).toEqual([
      'report.csv',
      'report.html',
      'report.json',
      'take 0/converted.wav',
      'take 1/converted.wav',
      'take 2/converted.wav',
      'take 3/converted.wav',
    ]);
  });

  it("with --jobs 1 saves its stages' costs for the runs after it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-batch-costs-'));
    const samples = path.join(dir, 'samples');
    await mkdir(samples);
    // Three chunks: a stage is remembered once it has run three items.
    await loopClip(LONG, 30, path.join(samples, 'take 30 s.wav'), 'audio');
    const state = path.join(dir, 'state');
    const args = ['batch', 'pipelines/voice-convert.yaml', samples, '--out', path.join(dir, 'out'), '--jobs', '1'];
    // The suite turns remembering off: on again here, into a folder of the test's own.
    const r = runReelBinary(args, { env: { REEL_REMEMBER_COSTS: '', REEL_STATE_DIR: state } });
    expect(r.code).toBe(0);
    const saved = JSON.parse(await readFile(path.join(state, 'stage-costs.json'), 'utf8'));
    // content and convert, the growable stages, measured on this sample.
    expect(Object.values(saved.stages)).toHaveLength(2);
  });

  it('refuses a manifest it cannot read at all with exit 2, before it makes the output folder', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-batch-manifest-'));
    await writeFile(path.join(dir, 'jobs.csv'), 'name,voice\nalice,a.wav\n');
    const out = path.join(dir, 'out');
    const r = await runCli(['batch', 'pipelines/voice-convert.yaml', path.join(dir, 'jobs.csv'), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/jobs\.csv:1: no column for input audio/);
    expect(await readdir(dir)).toEqual(['jobs.csv']);
  });

  it('refuses a second batch on the same output folder while the first runs', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-batch-lock-'));
    for (let i = 0; i < 2; i++) await copyFile(LONG, path.join(dir, `take ${i}.wav`));
    const out = await mkdtemp(path.join(tmpdir(), 'reel-batch-lock-out-'));
    const args = [path.join(REPO_ROOT, 'bin/reel.js'), 'batch', 'pipelines/voice-convert.yaml', dir, '--out', out];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    // Wait until it holds the lock (its journal folder exists), then try a second one.
    for (let i = 0; i < 200; i++) {
      if ((await readdir(out)).includes('.reel-batch')) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    const second = await runCli(['batch', 'pipelines/voice-convert.yaml', dir, '--out', out]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/pid \d+/);
    await new Promise((resolve) => child.on('exit', resolve));
  });
});
