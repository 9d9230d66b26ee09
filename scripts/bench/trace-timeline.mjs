// A run's timeline in text, from its --trace file: for every track (a stage, or one instance of a
// replicated stage) when its first item started, when its last ended, and its items as start+ms;
// then how many instances of one stage were busy in each 100 ms. Shows when replicas joined and
// what they waited on.   node scripts/bench/trace-timeline.mjs run.trace.json [stage=convert]
import { readFileSync } from 'node:fs';

const [file, stage = 'convert'] = process.argv.slice(2);
if (!file) {
  console.error('usage: trace-timeline.mjs <trace.json> [stage]');
  process.exit(2);
}
const trace = JSON.parse(readFileSync(file, 'utf8'));
const events = trace.traceEvents ?? trace;
const names = new Map(events.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, e.args.name]));
const spans = events.filter((e) => e.ph === 'X');
const t0 = Math.min(...spans.map((e) => e.ts));
const at = (us) => ((us - t0) / 1000).toFixed(0);

const tracks = new Map();
for (const e of spans) {
  const name = names.get(e.tid) ?? String(e.tid);
  if (!tracks.has(name)) tracks.set(name, []);
  tracks.get(name).push(e);
}
for (const [name, list] of [...tracks].sort(([a], [b]) => a.localeCompare(b))) {
  list.sort((a, b) => a.ts - b.ts);
  const end = Math.max(...list.map((e) => e.ts + e.dur));
  const items = list.map((e) => `${at(e.ts)}+${(e.dur / 1000).toFixed(0)}`).join(' ');
  console.log(`${name.padEnd(16)} first ${at(list[0].ts).padStart(6)} ms, last end ${at(end).padStart(6)} ms: ${items}`);
}

const BIN = 100_000;
const end = Math.max(...spans.map((e) => e.ts + e.dur));
const ofStage = spans.filter((e) => {
  const name = names.get(e.tid) ?? '';
  return name === stage || name.startsWith(`${stage}#`);
});
const busy = [];
for (let from = t0; from < end; from += BIN) {
  const overlap = ofStage.reduce((sum, e) => sum + Math.max(0, Math.min(e.ts + e.dur, from + BIN) - Math.max(e.ts, from)), 0);
  busy.push((overlap / BIN).toFixed(1));
}
console.log(`${stage}: instances busy per 100 ms: ${busy.join(' ')}`);
