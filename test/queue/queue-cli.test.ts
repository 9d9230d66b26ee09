/**
 * Scale-out as users run it: a real redis-server, `reel worker` processes, `reel batch --queue`.
 * Every sample renders on the workers with the bytes a local batch writes; a worker killed mid-job
 * has its job redone by another and the batch still completes, with nothing partial left; a
 * worker whose model file is another version refuses the job; SIGTERM stops a worker with exit 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { loopClip } from '../../src/media/loop-clip.ts';
import { QUEUE_NAME } from '../../src/queue/queue-job.ts';
import { filesUnder, statuses } from '../helpers/batch-output.ts';
import { REPO_ROOT, runReelBinary } from '../helpers/cli.ts';
import { type RedisServer, startRedisServer } from '../helpers/redis-server.ts';

const SHORT = path.join(REPO_ROOT, 'samples/talking-head/short/voice.wav');
const MEDIUM = path.join(REPO_ROOT, 'samples/talking-head/medium/voice.wav');
const LONG = path.join(REPO_ROOT, 'samples/talking-head/long/voice.wav');
const REEL = path.join(REPO_ROOT, 'bin/reel.js');

interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | NodeJS.Signals>;
}

/** Every process the tests started: none outlives the file, whatever failed. */
const started = new Set<ChildProcess>();

/** `reel …` as a child process, not waited for. */
function reel(args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(process.execPath, [REEL, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** A worker taking one job at a time; a short job lock so that a lost worker's job is taken over in seconds. */
function worker(url: string, drainSeconds = 30, env: NodeJS.ProcessEnv = {}): Proc {
  return reel(['worker', '--queue', url, '--jobs', '1', '--drain-timeout', String(drainSeconds)], {
    REEL_QUEUE_LOCK_MS: '1500',
    ...env,
  });
}

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('reel worker and reel batch --queue on a real Redis', () => {
  let redis: RedisServer;
  let queue: Queue;
  beforeAll(async () => {
    redis = await startRedisServer();
    queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
  });
  /** `dir/vc.yaml` (`yaml`) over one sample, queued by a batch into `dir/out`; resolves once the job waits. */
  async function queueOneSample(dir: string, yaml: string): Promise<{ batch: Proc; out: string }> {
    await writeFile(path.join(dir, 'vc.yaml'), yaml);
    const samples = path.join(dir, 'samples');
    await mkdir(samples);
    await copyFile(SHORT, path.join(samples, 'one.wav'));
    const out = path.join(dir, 'out');
    const batch = reel(['batch', path.join(dir, 'vc.yaml'), samples, '--out', out, '--queue', redis.url]);
    await until('the job is queued', async () => (await queue.getWaitingCount()) === 1);
    return { batch, out };
  }

  afterAll(async () => {
    for (const child of started) child.kill('SIGKILL');
    await queue?.close();
    await redis?.stop();
  });

  it('two workers render every sample with the bytes of a local batch; SIGTERM stops them with exit 0', async () => {
    const samples = await mkdtemp(path.join(tmpdir(), 'reel-queue-samples-'));
    await copyFile(SHORT, path.join(samples, 'talk 1.wav'));
    await copyFile(LONG, path.join(samples, '-dash ü.wav'));
    await copyFile(MEDIUM, path.join(samples, 'bob.wav'));
    await writeFile(path.join(samples, 'corrupt.wav'), 'RIFF....WAVEfmt not really a wav file');
    const workers = [worker(redis.url), worker(redis.url)];
    const out = await mkdtemp(path.join(tmpdir(), 'reel-queue-out-'));
    const batch = reel(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out, '--queue', redis.url]);
    expect(await batch.exited).toBe(3);
    expect(await statuses(out)).toEqual({ '-dash ü': 'done', bob: 'done', corrupt: 'failed', 'talk 1': 'done' });
    expect(batch.stdout()).toMatch(/^FAIL {2}corrupt: .*corrupt\.wav.*$/m);
    // Rendered on the workers, not in the batch process.
    const rendered = workers.map((w) => w.stdout()).join('');
    for (const id of ['-dash ü', 'bob', 'talk 1']) expect(rendered).toContain(`done  ${id} in `);

    const local = await mkdtemp(path.join(tmpdir(), 'reel-queue-local-'));
    expect(runReelBinary(['batch', 'pipelines/voice-convert.yaml', samples, '--out', local]).code).toBe(3);
    for (const id of ['-dash ü', 'bob', 'talk 1']) {
      const file = path.join(id, 'converted.wav');
      expect((await readFile(path.join(out, file))).equals(await readFile(path.join(local, file)))).toBe(true);
    }

    for (const w of workers) w.child.kill('SIGTERM');
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0]);
    for (const w of workers) expect(w.stderr()).toMatch(/stopped by SIGTERM; \d+ done, 0 failed, 0 put back/);
  });

  it('a worker killed mid-job: another redoes the job, the batch completes, nothing partial is left', async () => {
    const samples = await mkdtemp(path.join(tmpdir(), 'reel-queue-kill-'));
    for (const name of ['a', 'b', 'c']) await loopClip(LONG, 12, path.join(samples, `${name}.wav`), 'audio');
    const out = await mkdtemp(path.join(tmpdir(), 'reel-queue-kill-out-'));
    const first = worker(redis.url);
    const batch = reel(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out, '--queue', redis.url]);
    await until('the first worker holds a job', async () => (await queue.getActiveCount()) === 1);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const second = worker(redis.url);
    expect(await batch.exited).toBe(0);
    expect(await statuses(out)).toEqual({ a: 'done', b: 'done', c: 'done' });
    expect(await filesUnder(out)).toEqual([
      'a/converted.wav',
      'b/converted.wav',
      'c/converted.wav',
      'report.csv',
      'report.html',
      'report.json',
    ]);
    // The job the killed worker held ran twice, and the report says so.
    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    const attempts = report.samples.map((s: { attempts: number }) => s.attempts).sort();
    expect(attempts).toEqual([1, 1, 2]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('SIGTERM mid-job: past the drain timeout the job goes back to the queue; within it the job is finished', async () => {
    const samples = await mkdtemp(path.join(tmpdir(), 'reel-queue-term-'));
    // Three chunks: a worker taking one job at a time remembers a stage once it has run three items.
    await loopClip(LONG, 30, path.join(samples, 'a.wav'), 'audio');
    const out = await mkdtemp(path.join(tmpdir(), 'reel-queue-term-out-'));
    const impatient = worker(redis.url, 0);
    const batch = reel(['batch', 'pipelines/voice-convert.yaml', samples, '--out', out, '--queue', redis.url]);
    await until('the first worker holds the job', async () => (await queue.getActiveCount()) === 1);
    impatient.child.kill('SIGTERM');
    expect(await impatient.exited).toBe(0);
    expect(impatient.stderr()).toMatch(/stopped by SIGTERM; 0 done, 0 failed, 1 put back on the queue/);
    expect(await queue.getWaitingCount()).toBe(1);
    // The suite turns remembering off: on again for this worker, into a folder of the test's own.
    const state = path.join(samples, 'state');
    const patient = worker(redis.url, 30, { REEL_REMEMBER_COSTS: '', REEL_STATE_DIR: state });
    await until('the second worker holds the job', async () => (await queue.getActiveCount()) === 1);
    patient.child.kill('SIGTERM');
    expect(await patient.exited).toBe(0);
    expect(patient.stderr()).toMatch(/stopped by SIGTERM; 1 done, 0 failed, 0 put back/);
    expect(await batch.exited).toBe(0);
    expect(await statuses(out)).toEqual({ a: 'done' });
    expect(await filesUnder(out)).toEqual(['a/converted.wav', 'report.csv', 'report.html', 'report.json']);
    // It saved the job's stage costs (content and convert, the growable stages) for the jobs after it.
    const saved = JSON.parse(await readFile(path.join(state, 'stage-costs.json'), 'utf8'));
    expect(Object.values(saved.stages)).toHaveLength(2);
  });

  it('refuses a job whose model file this worker has in another version, and renders nothing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-queue-model-'));
    const yaml = (await readFile(path.join(REPO_ROOT, 'pipelines/voice-convert.yaml'), 'utf8')).replace(
      'use: content-encoder',
      'use: content-encoder\n    model: encoder.onnx',
    );
    await copyFile(await ensureReferenceModel('content-encoder', 'tiny'), path.join(dir, 'encoder.onnx'));
    const other = await ensureReferenceModel('content-encoder', 'medium');
    // Queued with the first version; the worker then starts with the second one.
    const { batch, out } = await queueOneSample(dir, yaml);
    await copyFile(other, path.join(dir, 'encoder.onnx'));
    const late = worker(redis.url);
    expect(await batch.exited).toBe(3);
    const [sample] = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8')).samples;
    expect(sample).toMatchObject({ id: 'one', status: 'failed', attempts: 1 });
    expect(sample.reason).toMatch(
      /^refused: stage "content" model "encoder": this worker's .*encoder\.onnx is another version/,
    );
    expect(await filesUnder(out)).toEqual(['report.csv', 'report.html', 'report.json']);
    late.child.kill('SIGTERM');
    expect(await late.exited).toBe(0);
  });

  it("finds a job's pipeline by content in --pipelines DIR when its file is not where the job names it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-queue-find-'));
    const yaml = await readFile(path.join(REPO_ROOT, 'pipelines/voice-convert.yaml'), 'utf8');
    const { batch } = await queueOneSample(dir, yaml);
    // On this worker the file is elsewhere, under another name, after a decoy that differs.
    const mine = path.join(dir, 'worker-pipelines');
    await mkdir(mine);
    await writeFile(path.join(mine, 'a-decoy.yaml'), yaml.replace('pitchShift: 0', 'pitchShift: 3'));
    await writeFile(path.join(mine, 'voice.yaml'), yaml);
    await rm(path.join(dir, 'vc.yaml'));
    const finder = reel(['worker', '--queue', redis.url, '--jobs', '1', '--pipelines', mine]);
    expect(await batch.exited).toBe(0);
    expect(finder.stdout()).toMatch(/^done {2}one in /m);
    finder.child.kill('SIGTERM');
    expect(await finder.exited).toBe(0);
  });
});
