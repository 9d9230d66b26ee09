// voice-convert with `--profile pauses` (VAD + skipSilence) and without, on a long recording with pauses (issue-16 targets:
// ≥ 1.3× faster with ≥ 30 % pauses, the VAD ≤ 2 % of the CPU time, the length exact).
//   node scripts/bench/skip-silence.mjs make <out.wav> [seconds=600]   speaks it with espeak-ng (Debian)
//   node scripts/bench/skip-silence.mjs run <recording> [rounds=2] [extra reel run args…]
// `make`: sentences from a fixed list in three voices, separated by pauses of 0.5–4.5 s over a faint
// noise floor (room tone), repeated to `seconds`; prints the share of pauses. `run`: from a built
// dist/ (npm run build), each mode `rounds` times in turn; prints wall and CPU seconds (the child's
// user + system), the converter's and the VAD's compute, and checks the two outputs' lengths agree.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each run measures its stages afresh: a remembered plan would make the order of the runs matter.
process.env.REEL_REMEMBER_COSTS ??= '0';
const require = createRequire(import.meta.url);
const ffmpeg = require('@ffmpeg-installer/ffmpeg').path;
const [what, file, ...rest] = process.argv.slice(2);
const RATE = 16000;

const SENTENCES = [
  'Streaming pipelines keep memory bounded on clips of any length',
  'Each stage works on its own chunk while the next one works on the chunk before',
  'A talking head turns a script a voice and a face into a video',
  'The converter only needs to hear the parts where somebody speaks',
  'Long recordings of lectures and meetings are mostly pauses and breathing',
  'When the speaker stops the room tone passes through untouched',
];
const PAUSES = [0.5, 1.0, 1.8, 3.0, 4.5, 0.8, 3.5, 1.5];

function make(out, seconds) {
  const dir = mkdtempSync(join(tmpdir(), 'reel-skip-'));
  let s = 7;
  const noise = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 0.006;
  };
  const pieces = [];
  let speech = 0;
  let total = 0;
  const pause = (sec) => {
    const x = new Float32Array(Math.round(sec * RATE));
    pieces.push(x);
    total += x.length;
  };
  for (let i = 0; total < seconds * RATE; i++) {
    const wav = join(dir, 'say.wav');
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '155', '-p', String(35 + (i % 3) * 12), '-w', wav, SENTENCES[i % SENTENCES.length]]);
    const raw = execFileSync(ffmpeg, ['-loglevel', 'error', '-i', wav, '-ar', '16000', '-ac', '1', '-f', 'f32le', '-']);
    const x = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
    let a = 0;
    let b = x.length;
    while (a < b && Math.abs(x[a]) < 1e-3) a++;
    while (b > a && Math.abs(x[b - 1]) < 1e-3) b--;
    pieces.push(x.slice(a, b));
    speech += b - a;
    total += b - a;
    pause(PAUSES[i % PAUSES.length]);
  }
  const all = new Float32Array(Math.round(seconds * RATE));
  let at = 0;
  for (const p of pieces) {
    all.set(p.subarray(0, Math.max(0, all.length - at)), at);
    at += p.length;
    if (at >= all.length) break;
  }
  for (let i = 0; i < all.length; i++) all[i] += noise();
  execFileSync(ffmpeg, ['-loglevel', 'error', '-y', '-f', 'f32le', '-ar', '16000', '-ac', '1', '-i', 'pipe:0', '-c:a', 'pcm_s16le', out], {
    input: Buffer.from(all.buffer),
  });
  rmSync(dir, { recursive: true, force: true });
  const spoken = Math.min(speech, all.length);
  console.log(`${out}: ${seconds} s, ${((1 - spoken / all.length) * 100).toFixed(0)} % pauses`);
}

/** The children's user + system CPU so far, seconds (from /proc/self/stat: cutime, cstime). */
function childCpu() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function run(recording, rounds, extra) {
  const out = mkdtempSync(join(tmpdir(), 'reel-skip-run-'));
  const sizes = {};
  for (let r = 1; r <= rounds; r++) {
    for (const skip of [true, false]) {
      const name = `${skip ? 'skip' : 'full'}-${r}`;
      const cpu0 = childCpu();
      const t0 = performance.now();
      const res = spawnSync(process.execPath, [
        'bin/reel.js', 'run', 'pipelines/voice-convert.yaml', '--input', `audio=${recording}`,
        '--out', join(out, name), '--metrics', join(out, `${name}.json`),
        ...(skip ? ['--profile', 'pauses'] : []), ...extra,
      ], { encoding: 'utf8' });
      const wall = (performance.now() - t0) / 1000;
      const cpu = childCpu() - cpu0;
      if (res.status !== 0) {
        console.log(`${name} FAILED: ${res.stderr.trim().split('\n').pop()}`);
        continue;
      }
      const m = JSON.parse(readFileSync(join(out, `${name}.json`), 'utf8'));
      const busy = (id) => (m.stages.find((s) => s.stage === id)?.busyMs ?? 0) / 1000;
      const all = m.stages.reduce((sum, s) => sum + s.busyMs, 0) / 1000;
      sizes[skip] = statSync(join(out, name, 'converted.wav')).size;
      console.log(
        `${name} wall ${wall.toFixed(2)} cpu ${cpu.toFixed(2)} run ${(m.wallMs / 1000).toFixed(2)} convert ${busy('convert').toFixed(2)} ` +
          `vad ${busy('speech').toFixed(2)} (${((busy('speech') / all) * 100).toFixed(1)} % of all compute, ${((busy('speech') / cpu) * 100).toFixed(1)} % of the CPU)`,
      );
      rmSync(join(out, name), { recursive: true, force: true });
    }
  }
  console.log(`output bytes: skip ${sizes.true}, full ${sizes.false}${sizes.true === sizes.false ? ' (same length)' : ' (DIFFER)'}`);
  rmSync(out, { recursive: true, force: true });
}

if (what === 'make') make(file, Number(rest[0] ?? 600));
else if (what === 'run') run(file, Number(rest[0] ?? 2), rest.slice(1));
else {
  console.error('usage: skip-silence.mjs make <out.wav> [seconds] | run <recording> [rounds] [reel run args…]');
  process.exit(2);
}
