// Where a run's CPU went, thread by thread: run reel under Node's sampling profiler, which writes
// one .cpuprofile per thread (the main thread and every stage worker), then summarise them here —
// per thread its busy time, garbage collection and top functions by self time, then the top
// functions over all threads. Comparing a sequential run with a pipelined one shows what workers
// add (module compilation, sessions, cold JIT, collection).
//   node --cpu-prof --cpu-prof-dir=out/prof bin/reel.js run … && node scripts/bench/cpu-profile-summary.mjs out/prof [top=15]
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const [dir, topArg] = process.argv.slice(2);
if (!dir) {
  console.error('usage: cpu-profile-summary.mjs <folder of .cpuprofile files> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 15);

/** Self time per function ("name file:line"), ms, of one profile. */
function selfTimes(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  profile.samples.forEach((id, i) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || '(anonymous)'}${url ? ` ${basename(url)}:${lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return self;
}

const ms = (v) => v.toFixed(0).padStart(7);
const overall = new Map();
let busyAll = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort()) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const self = selfTimes(profile);
  const idle = self.get('(idle)') ?? 0;
  self.delete('(idle)');
  const busy = (profile.endTime - profile.startTime) / 1000 - idle;
  busyAll += busy;
  console.log(`== ${file}: busy ${ms(busy)} ms, GC ${ms(self.get('(garbage collector)') ?? 0)} ms`);
  for (const [key, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${ms(v)}  ${key}`);
  for (const [key, v] of self) overall.set(key, (overall.get(key) ?? 0) + v);
}
console.log(`== all threads: busy ${ms(busyAll)} ms`);
for (const [key, v] of [...overall].sort((a, b) => b[1] - a[1]).slice(0, 2 * top)) console.log(`  ${ms(v)}  ${key}`);
