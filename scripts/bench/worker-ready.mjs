// Stage worker start-up, spawn → ready (its kind loaded, its session created and warmed up), from
// the compiled dist/ (npm run build): every kind of voice-convert started at once, as a run starts
// them, and then one replica started from a spare worker (spawned earlier: runtime, ONNX Runtime and
// its kind already loaded), as the core budget adds them.  node scripts/bench/worker-ready.mjs [kinds] [rounds]
const kinds = (process.argv[2] ?? 'content-encoder,rvc').split(',');
const rounds = Number(process.argv[3] ?? 5);
const at = (p) => new URL(`../../dist/${p}.js`, import.meta.url).href;
const { createWorkerHost, spawnStageWorker } = await import(at('src/runtime/worker-host'));
const { STAGE_KINDS } = await import(at('stages/index'));
const { ensureReferenceModel } = await import(at('models/reference'));
const { DEFAULT_NODE_SETTINGS } = await import(at('src/core/settings'));

async function spec(kind) {
  const def = STAGE_KINDS[kind];
  const models = {};
  for (const [slot, m] of Object.entries(def.models ?? {})) models[slot] = await ensureReferenceModel(m.family);
  const context = { id: kind, models, settings: DEFAULT_NODE_SETTINGS };
  return { def, options: def.options.parse({}), context, log() {}, outputRoom: async () => {}, shared: () => false };
}

const specs = await Promise.all(kinds.map(spec));
const fresh = [];
const spare = [];
for (let r = 0; r < rounds; r++) {
  const t0 = performance.now();
  const hosts = await Promise.all(specs.map((s) => createWorkerHost(s).then((h) => ({ h, ms: performance.now() - t0 }))));
  fresh.push(hosts.map((x) => x.ms.toFixed(0)).join('/'));
  const last = specs[specs.length - 1].def;
  const worker = spawnStageWorker([last.createIn?.url ?? last.module]);
  await new Promise((resolve) => setTimeout(resolve, 1000)); // the spare boots meanwhile
  const t1 = performance.now();
  const replica = await createWorkerHost(specs[specs.length - 1], worker);
  spare.push((performance.now() - t1).toFixed(0));
  await Promise.all([...hosts.map((x) => x.h.dispose()), replica.dispose()]);
}
console.log(`fresh ${kinds.join('+')} ready, ms per round: ${fresh.join('  ')}`);
console.log(`${kinds[kinds.length - 1]} from a spare worker, ms: ${spare.join('  ')}`);
