// 200 tiny voice-convert jobs through two `reel worker` processes on a real redis-server, twice:
// once undisturbed (the queue's overhead per job), once with a worker SIGKILLed at random moments
// three times and started again (every sample must end done, each output whole and written once).
// Plain JavaScript, so that it runs where only node and a production install are.
//
//   node scripts/bench/queue-chaos.mjs [--jobs 200] [--kills 3] [--work DIR] [--json FILE]
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '200' },
    kills: { type: 'string', default: '3' },
    work: { type: 'string', default: join(tmpdir(), 'reel-queue-chaos') },
    json: { type: 'string' },
  },
});
const count = Number(values.jobs);
const kills = Number(values.kills);
const work = values.work;
const reel = join(root, 'bin', 'reel.js');
const lockMs = 2000;

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
  stdio: 'ignore',
});
const url = `redis://127.0.0.1:${port}`;
await new Promise((r) => setTimeout(r, 300));

// One 0.5 s clip, copied: every job renders the same bytes, so any torn or doubled write shows.
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'samples'), { recursive: true });
const ffmpeg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg').path;
const clip = join(work, 'clip.wav');
spawnSync(ffmpeg, ['-loglevel', 'error', '-i', join(root, 'samples/talking-head/long/voice.wav'), '-t', '0.5', clip]);
for (let i = 0; i < count; i++) copyFileSync(clip, join(work, 'samples', `j${String(i).padStart(3, '0')}.wav`));

function startWorker() {
  const child = spawn(process.execPath, [reel, 'worker', '--queue', url, '--jobs', '1'], {
    env: { ...process.env, REEL_QUEUE_LOCK_MS: String(lockMs) },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let renderS = 0;
  child.stdout.setEncoding('utf8').on('data', (text) => {
    for (const m of text.matchAll(/^done {2}\S+ in ([\d.]+) s/gm)) renderS += Number(m[1]);
  });
  return { child, renderS: () => renderS };
}

async function phase(name, killTimes) {
  const out = join(work, `out-${name}`);
  const workers = [startWorker(), startWorker()];
  const retired = [];
  const t0 = performance.now();
  const batch = spawn(process.execPath, [reel, 'batch', 'pipelines/voice-convert.yaml', join(work, 'samples'), '--out', out, '--queue', url, '--progress', 'plain'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let batchErr = '';
  batch.stderr.setEncoding('utf8').on('data', (d) => (batchErr += d));
  const timers = killTimes.map((ms) =>
    setTimeout(() => {
      const k = Math.floor(Math.random() * workers.length);
      workers[k].child.kill('SIGKILL');
      retired.push(workers[k]);
      workers[k] = startWorker();
    }, ms),
  );
  const code = await new Promise((resolve) => batch.on('exit', resolve));
  const wallS = (performance.now() - t0) / 1000;
  for (const t of timers) clearTimeout(t);
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((r) => w.child.once('exit', r))));
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const done = report.samples.filter((s) => s.status === 'done');
  const outputs = done.map((s) => readFileSync(join(out, s.outputs[0])));
  const leftovers = readdirSync(out, { recursive: true }).filter((f) => String(f).endsWith('.partial'));
  const renderS = [...workers, ...retired].reduce((sum, w) => sum + w.renderS(), 0);
  return {
    phase: name,
    exit: code,
    wallS: +wallS.toFixed(2),
    done: done.length,
    failed: report.samples.length - done.length,
    runsPerJob: +(report.samples.reduce((n, s) => n + (s.attempts || 0), 0) / report.samples.length).toFixed(3),
    allOutputsIdentical: outputs.every((b) => b.equals(outputs[0])),
    partialLeft: leftovers.length,
    // Two worker slots: what the batch took beyond the renders themselves, per job.
    overheadMsPerJob: +(((wallS * 2 - renderS) / count) * 1000).toFixed(1),
    meanRenderMs: +((renderS / count) * 1000).toFixed(1),
    stderrTail: code === 0 ? undefined : batchErr.slice(-500),
  };
}

const rows = [];
try {
  const calm = await phase('undisturbed', []);
  rows.push(calm);
  const span = calm.wallS * 1000;
  const times = Array.from({ length: kills }, () => Math.round(span * (0.1 + 0.7 * Math.random()))).sort((a, b) => a - b);
  rows.push({ ...(await phase('killed', times)), killsAtMs: times.join(' ') });
} finally {
  redis.kill('SIGKILL');
}
console.table(rows);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ jobs: count, lockMs, rows }, null, 2)}\n`);
