// `reel batch` against a shell loop of `reel run`: the same N talking-head samples (5–15 s of
// speech each, --profile fast), rendered both ways; samples/s, peak RSS, and whether every output
// is byte-identical to the loop's. Plain JavaScript (no tsx) so that it runs on the GPU host too.
//
//   node scripts/bench/batch-throughput.mjs [--samples 24] [--jobs 1,2] [--work DIR] [--json FILE]
//     [--profile fast] [--skip-loop] [--set KEY=VALUE …] (--set goes to the batches only)
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// Each run measures its stages afresh: a remembered plan would make the order of the runs matter.
process.env.REEL_REMEMBER_COSTS ??= '0';
const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '24' },
    jobs: { type: 'string', default: '1,2' },
    work: { type: 'string', default: join(tmpdir(), 'reel-batch-bench') },
    json: { type: 'string' },
    profile: { type: 'string', default: 'fast' },
    'skip-loop': { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
  },
});
const count = Number(values.samples);
const work = values.work;
const reel = join(root, 'bin', 'reel.js');
const pipeline = join(root, 'pipelines', 'talking-head.yaml');
const shipped = join(root, 'samples', 'talking-head');

/** N sample folders: 25–65 words (5–15 s of fast speech), the shipped voices and faces in turn. */
function makeSamples(dir) {
  rmSync(dir, { recursive: true, force: true });
  const words = readFileSync(join(shipped, 'long', 'script.txt'), 'utf8').split(/\s+/).filter(Boolean);
  const voices = ['short', 'medium', 'long'].map((s) => join(shipped, s, 'voice.wav'));
  const faces = [join(shipped, 'short', 'face.png'), join(shipped, 'medium', 'face.mp4')];
  const samples = [];
  for (let i = 0; i < count; i++) {
    const id = `s${String(i).padStart(2, '0')}`;
    const folder = join(dir, id);
    mkdirSync(folder, { recursive: true });
    const length = 25 + Math.round((i * 40) / Math.max(1, count - 1));
    const script = Array.from({ length }, (_, k) => words[(i * 7 + k) % words.length]).join(' ');
    writeFileSync(join(folder, 'script.txt'), `${script.replace(/[.!?]*$/, '')}.\n`);
    copyFileSync(voices[i % voices.length], join(folder, 'voice.wav'));
    const face = faces[i % faces.length];
    const faceName = `face${face.slice(face.lastIndexOf('.'))}`;
    copyFileSync(face, join(folder, faceName));
    samples.push({ id, folder, faceName });
  }
  return samples;
}

/** Runs `node args`, resolves with wall ms and peak RSS (VmHWM, polled), rejects on a non-zero exit. */
function timed(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let peakKb = 0;
    child.stderr.on('data', (d) => (stderr += d));
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {}
    }, 50);
    child.on('exit', (code) => {
      clearInterval(poll);
      const wallMs = performance.now() - t0;
      if (code !== 0) reject(new Error(`${args.slice(1, 3).join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ wallMs, peakBytes: peakKb * 1024 });
    });
  });
}

function same(a, b) {
  return existsSync(a) && existsSync(b) && readFileSync(a).equals(readFileSync(b));
}

const samples = makeSamples(join(work, 'samples'));
const profile = ['--profile', values.profile];
const rows = [];
let loop;
if (!values['skip-loop']) {
  const out = join(work, 'loop');
  rmSync(out, { recursive: true, force: true });
  let wallMs = 0;
  let peakBytes = 0;
  for (const s of samples) {
    const r = await timed([
      reel,
      'run',
      pipeline,
      ...profile,
      '--input',
      `script=${join(s.folder, 'script.txt')}`,
      '--input',
      `voice=${join(s.folder, 'voice.wav')}`,
      '--input',
      `face=${join(s.folder, s.faceName)}`,
      '--out',
      join(out, s.id),
    ]);
    wallMs += r.wallMs;
    peakBytes = Math.max(peakBytes, r.peakBytes);
  }
  loop = { mode: 'loop of reel run', wallMs, peakBytes, out };
  rows.push(loop);
}
for (const jobs of values.jobs.split(',')) {
  const out = join(work, `batch-j${jobs}`);
  rmSync(out, { recursive: true, force: true });
  const r = await timed([
    reel,
    'batch',
    pipeline,
    join(work, 'samples'),
    ...profile,
    '--out',
    out,
    '--jobs',
    jobs,
    '--progress',
    'plain',
    ...values.set.flatMap((kv) => ['--set', kv]),
  ]);
  rows.push({ mode: `reel batch --jobs ${jobs}`, ...r, out });
}

const outputs = ['speech.wav', 'video.mp4'];
const report = rows.map((row) => {
  const identical = loop
    ? samples.every((s) => outputs.every((o) => same(join(loop.out, s.id, o), join(row.out, s.id, o))))
    : undefined;
  return {
    mode: row.mode,
    wallS: +(row.wallMs / 1000).toFixed(2),
    samplesPerS: +(count / (row.wallMs / 1000)).toFixed(3),
    vsLoop: loop ? +(loop.wallMs / row.wallMs).toFixed(2) : undefined,
    peakRssMiB: Math.round(row.peakBytes / 2 ** 20),
    identicalToLoop: identical,
  };
});
console.table(report);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ samples: count, profile: values.profile, report }, null, 2)}\n`);
