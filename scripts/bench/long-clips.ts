/**
 * Long-clip memory and length checks through the real CLI, each run in a fresh process:
 *  - voice-convert on a 1-minute and a 10-minute recording: peak RSS and output length;
 *  - talking-head (default profile) on a ~10 s and a ~60 s script: peak RSS, and how long RVC,
 *    Wav2Lip and the TTS stage were busy at the same time (from the trace).
 *   npx tsx scripts/bench/long-clips.ts [--skip-voice] [--skip-talking]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveFfmpeg } from '../../src/media/binaries.ts';

const { ffmpeg, ffprobe } = resolveFfmpeg();
const work = mkdtempSync(path.join(os.tmpdir(), 'reel-long-'));
const reel = (args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/reel.js', 'run', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`reel run failed (${r.status}): ${r.stderr}`);
  return r;
};
const metricsOf = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as { wallMs: number; processPeakRssBytes: number };
const samplesOf = (file: string) => {
  const out = execFileSync(
    ffprobe,
    ['-v', 'error', '-show_entries', 'stream=duration_ts,sample_rate', '-of', 'json', file],
    { encoding: 'utf8' },
  );
  return JSON.parse(out).streams[0] as { duration_ts: number; sample_rate: string };
};
const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

function voiceConvert(): void {
  console.log('voice-convert (16 kHz speech in, 40 kHz out):');
  const rows: { minutes: number; rss: number; wall: number }[] = [];
  for (const minutes of [1, 10]) {
    const input = path.join(work, `speech-${minutes}min.wav`);
    execFileSync(ffmpeg, [
      '-loglevel',
      'error',
      '-y',
      '-stream_loop',
      '-1',
      '-i',
      'samples/talking-head/long/voice.wav',
      '-t',
      String(minutes * 60),
      '-ar',
      '16000',
      '-ac',
      '1',
      input,
    ]);
    const out = path.join(work, `vc-${minutes}`);
    const metrics = path.join(work, `vc-${minutes}.json`);
    reel(['pipelines/voice-convert.yaml', '--input', `audio=${input}`, '--out', out, '--metrics', metrics]);
    const m = metricsOf(metrics);
    const inS = samplesOf(input);
    const outS = samplesOf(path.join(out, 'converted.wav'));
    const expected = Math.round((inS.duration_ts / Number(inS.sample_rate)) * 40000);
    console.log(
      `  ${minutes} min: wall ${(m.wallMs / 1000).toFixed(1)} s (RTF ${(m.wallMs / 1000 / (minutes * 60)).toFixed(3)}), peak RSS ${MiB(m.processPeakRssBytes)}, output ${outS.duration_ts} samples (expected ${expected}: ${outS.duration_ts === expected ? 'exact' : 'DIFFERENT'})`,
    );
    rows.push({ minutes, rss: m.processPeakRssBytes, wall: m.wallMs });
  }
  console.log(`  peak RSS 10 min / 1 min = ${(rows[1].rss / rows[0].rss).toFixed(3)}`);
}

interface TraceEvent {
  ph: string;
  name: string;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}
function busyTogether(traceFile: string, stages: string[]): { overlapMs: number; spans: Record<string, number> } {
  const events = (JSON.parse(readFileSync(traceFile, 'utf8')) as { traceEvents: TraceEvent[] }).traceEvents;
  const names = new Map(
    events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args?.name ?? '']),
  );
  const spans = (stage: string) =>
    events.filter((e) => e.ph === 'X' && names.get(e.tid) === stage).map((e) => [e.ts, e.ts + (e.dur ?? 0)] as const);
  const all = stages.map(spans);
  // Time (µs) when every listed stage is inside a span: sweep over a fine grid of 1 ms.
  const end = Math.max(...all.flat().map(([, b]) => b));
  let both = 0;
  for (let t = 0; t < end; t += 1000) if (all.every((list) => list.some(([a, b]) => a <= t && t < b))) both += 1;
  return { overlapMs: both, spans: Object.fromEntries(stages.map((s, i) => [s, all[i].length])) };
}

function talkingHead(): void {
  console.log('talking-head (default profile: VALL-E X → RVC → Wav2Lip):');
  const base = readFileSync('samples/talking-head/long/script.txt', 'utf8').trim();
  const sentences = base.split(/(?<=\.)\s+/);
  const rows: { name: string; rss: number }[] = [];
  const pick = (n: number) => Array.from({ length: n }, (_, i) => sentences[i % sentences.length]).join(' ');
  for (const [name, text] of [
    ['short', pick(1)],
    ['long', pick(5)],
    ['longest', pick(16)],
  ] as const) {
    const script = path.join(work, `script-${name}.txt`);
    writeFileSync(script, `${text}\n`);
    const out = path.join(work, `th-${name}`);
    const metrics = path.join(work, `th-${name}.json`);
    const trace = path.join(work, `th-${name}-trace.json`);
    reel([
      'pipelines/talking-head.yaml',
      '--input',
      `script=${script}`,
      '--input',
      'voice=samples/talking-head/short/voice.wav',
      '--input',
      'face=samples/talking-head/medium/face.mp4',
      '--out',
      out,
      '--metrics',
      metrics,
      '--trace',
      trace,
    ]);
    const m = metricsOf(metrics);
    const speech = samplesOf(path.join(out, 'speech.wav'));
    const seconds = speech.duration_ts / Number(speech.sample_rate);
    const overlap = busyTogether(trace, ['tts', 'convert', 'lipsync']);
    console.log(
      `  ${name}: ${seconds.toFixed(1)} s of speech, wall ${(m.wallMs / 1000).toFixed(1)} s, peak RSS ${MiB(m.processPeakRssBytes)}; tts+convert+lipsync busy together ${overlap.overlapMs} ms (spans ${JSON.stringify(overlap.spans)})`,
    );
    rows.push({ name, rss: m.processPeakRssBytes });
  }
  console.log(
    `  peak RSS long / short = ${(rows[1].rss / rows[0].rss).toFixed(3)}, longest / short = ${(rows[2].rss / rows[0].rss).toFixed(3)}`,
  );
}

if (!process.argv.includes('--skip-voice')) voiceConvert();
if (!process.argv.includes('--skip-talking')) talkingHead();
