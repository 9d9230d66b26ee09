// Every model family's medium reference model on the WebGPU provider against the CPU provider, same
// inputs: the largest difference of any output (absolute, and relative to the output's largest
// value) and the median time of one run() on each. From the compiled dist/ (npm run build), on a
// machine whose GPU WebGPU reaches (see the README section "GPU (WebGPU)"); both sessions live on
// this one thread, as on reel's GPU thread.
//   node scripts/bench/webgpu-parity.mjs [runs=10] [cpu-intra-op-threads=8] [provider=webgpu]
// (provider=cpu compares the CPU with itself: a check of the script's inputs on any machine.)
const at = (p) => new URL(`../../dist/${p}.js`, import.meta.url).href;
const { MANIFESTS } = await import(at('models/manifests/index'));
const { ensureReferenceModel } = await import(at('models/reference'));
const ort = await import('onnxruntime-node');

const runs = Number(process.argv[2] ?? 10);
const cpuThreads = Number(process.argv[3] ?? 8);
const provider = process.argv[4] ?? 'webgpu';
ort.env.logLevel = 'fatal';

/** Sizes of the contracts' free axes per family: shapes a stage gives its model in a real run. */
const DIMS = {
  'content-encoder': { B: 1, N: 160_000 }, // 10 s at 16 kHz
  rvc: { T: 200 }, // 2 s of features
  'vallex-ar': { L: 1, P: 64, S: 65 }, // one decoding step after 64 positions
  'vallex-nar': { L: 128 },
  'vallex-codec': { T: 150 },
  fastpitch: { B: 1, T_text: 64 },
  hifigan: { B: 1, T: 256 },
  wav2lip: { B: 32 }, // one chunk's frames
  'face-detect': {},
  'text-encoder': { B: 1, L: 226 },
  dit: { B: 2, F: 2, H: 20, W: 32, L: 226 }, // classifier-free guidance: two rows
  vae: { B: 1, f: 2, h: 20, w: 32 },
};

/** Values a real run would feed: ids in range, positive pitch, waveforms in [-1, 1]. */
function values(family, name, dtype, n, rand) {
  if (dtype === 'bool') return new Uint8Array(n);
  if (dtype === 'int64') {
    const range = { codes: 1024, pitch: 255, text: 40, input_ids: 100, timestep: 1000 }[name] ?? 1;
    const fixed = { offset: family === 'vallex-ar' ? 64n : 1n, phone_lengths: 200n, ds: 0n }[name];
    return BigInt64Array.from({ length: n }, () => fixed ?? BigInt(1 + Math.floor(rand() * (range - 1))));
  }
  if (name === 'pitchf') return Float32Array.from({ length: n }, () => 100 + rand() * 200);
  if (name === 'pace') return new Float32Array(n).fill(1);
  if (name === 'conv_cache') return new Float32Array(n);
  return Float32Array.from({ length: n }, () => rand() * 2 - 1);
}

function seeded(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function time(session, feeds) {
  for (let i = 0; i < 2; i++) await session.run(feeds);
  const ms = [];
  let out;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    out = await session.run(feeds);
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { out, ms: ms[Math.floor(ms.length / 2)] };
}

console.log(`family           ${provider.padEnd(8)} cpu(${cpuThreads}t)  speed-up  max|diff|   max|out|   rel`);
for (const family of Object.keys(MANIFESTS)) {
  try {
    const path = await ensureReferenceModel(family, 'medium');
    const cpu = await ort.InferenceSession.create(path, {
      executionProviders: ['cpu'],
      intraOpNumThreads: cpuThreads,
      graphOptimizationLevel: 'all',
    });
    const dims = DIMS[family] ?? {};
    const rand = seeded(7);
    const feeds = {};
    for (const m of cpu.inputMetadata) {
      const shape = m.shape.map((d) => (typeof d === 'number' ? d : dims[d]));
      if (shape.some((d) => d === undefined)) throw new Error(`no size for ${m.name} ${JSON.stringify(m.shape)}`);
      const n = shape.reduce((a, b) => a * b, 1);
      feeds[m.name] = new ort.Tensor(m.type, values(family, m.name, m.type, n, rand), shape);
    }
    const gpu = await ort.InferenceSession.create(path, {
      executionProviders: provider === 'cpu' ? ['cpu'] : [{ name: provider, preferredLayout: 'NCHW' }, 'cpu'], // as reel asks (src/inference/gpu/gpu-availability.ts)
      graphOptimizationLevel: 'all',
    });
    const a = await time(cpu, feeds);
    const b = await time(gpu, feeds);
    let diff = 0;
    let peak = 0;
    let nan = 0;
    for (const name of Object.keys(a.out)) {
      const x = a.out[name].data;
      const y = b.out[name].data;
      for (let i = 0; i < x.length; i++) {
        const d = Math.abs(Number(x[i]) - Number(y[i]));
        if (Number.isNaN(d)) nan++;
        else diff = Math.max(diff, d);
        peak = Math.max(peak, Math.abs(Number(x[i])));
      }
    }
    const f = (v) => v.toExponential(1).padEnd(10);
    console.log(
      `${family.padEnd(16)} ${`${b.ms.toFixed(2)} ms`.padEnd(10)}${`${a.ms.toFixed(2)} ms`.padEnd(11)}${`${(a.ms / b.ms).toFixed(1)}×`.padEnd(10)}${f(diff)} ${f(peak)} ${f(diff / (peak || 1))}${nan ? ` NaN×${nan}` : ''}`,
    );
    await Promise.all([cpu.release(), gpu.release()]);
  } catch (err) {
    console.log(`${family.padEnd(16)} FAILED ${String(err.message ?? err).split('\n')[0].slice(0, 200)}`);
  }
}
