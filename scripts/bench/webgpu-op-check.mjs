// Which operator makes a model's WebGPU output differ from the CPU's: one-operator models built
// with reel's own ONNX builder, in the shapes of the reference Wav2Lip generator (2-D convs with
// asymmetric strides, 2-D transposed convs k4 s2 p1 and k3 s1 p0), then the whole medium Wav2Lip
// at several batch sizes and both WebGPU layouts. From the compiled dist/ (npm run build).
//   node scripts/bench/webgpu-op-check.mjs [provider=webgpu]
const at = (p) => new URL(`../../dist/${p}.js`, import.meta.url).href;
const { GraphBuilder } = await import(at('src/onnx/builder'));
const { conv, convTranspose } = await import(at('src/onnx/layers'));
const { ensureReferenceModel } = await import(at('models/reference'));
const ort = await import('onnxruntime-node');
ort.env.logLevel = 'fatal';
const provider = process.argv[2] ?? 'webgpu';

function seeded(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

async function compare(label, model, feedsOf, ep = { name: provider }) {
  try {
    const cpu = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
    const gpu = await ort.InferenceSession.create(model, {
      executionProviders: provider === 'cpu' ? ['cpu'] : [ep, 'cpu'],
    });
    const feeds = feedsOf(cpu);
    const [a, b] = [await cpu.run(feeds), await gpu.run(feeds)];
    let diff = 0;
    let peak = 0;
    for (const name of Object.keys(a)) {
      const x = a[name].data;
      const y = b[name].data;
      for (let i = 0; i < x.length; i++) {
        diff = Math.max(diff, Math.abs(x[i] - y[i]));
        peak = Math.max(peak, Math.abs(x[i]));
      }
    }
    console.log(`${label.padEnd(58)} max|diff| ${diff.toExponential(1).padEnd(8)} max|out| ${peak.toExponential(1)}`);
    await Promise.all([cpu.release(), gpu.release()]);
  } catch (err) {
    console.log(`${label.padEnd(58)} FAILED ${String(err.message ?? err).split('\n')[0].slice(0, 160)}`);
  }
}

function randomFeeds(batch) {
  return (session) => {
    const rand = seeded(3);
    const feeds = {};
    for (const m of session.inputMetadata) {
      const shape = m.shape.map((d) => (typeof d === 'number' ? d : batch));
      const n = shape.reduce((x, y) => x * y, 1);
      feeds[m.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => rand()), shape);
    }
    return feeds;
  };
}

function oneOp(label, cin, size, layer, spec) {
  const b = new GraphBuilder(label, label);
  const x = b.input('x', 'float32', ['B', cin, size[0], size[1]]);
  const y = layer(b, 'op', x, spec);
  b.output(y, 'y', 'float32', ['B', spec.cout, 'H', 'W']);
  return b.model();
}

for (const batch of [1, 32]) {
  const cases = [
    ['conv k3 s2 p1 6→32 @96', 6, [96, 96], conv, { cin: 6, cout: 32, kernel: [3, 3], stride: [2, 2], pads: [1, 1, 1, 1] }],
    ['conv k3 s1 p0 256→256 @3', 256, [3, 3], conv, { cin: 256, cout: 256, kernel: [3, 3], stride: [1, 1], pads: [0, 0, 0, 0] }],
    ['conv k3 s[3,1] p1 1→32 @80×16 (audio)', 1, [80, 16], conv, { cin: 1, cout: 32, kernel: [3, 3], stride: [3, 1], pads: [1, 1, 1, 1] }],
    ['conv k3 s[3,2] p1 32→64 @27×16 (audio)', 32, [27, 16], conv, { cin: 32, cout: 64, kernel: [3, 3], stride: [3, 2], pads: [1, 1, 1, 1] }],
    ['conv k[3,4] p0 128→256 @3×4 (audio)', 128, [3, 4], conv, { cin: 128, cout: 256, kernel: [3, 4], pads: [0, 0, 0, 0] }],
    ['convT k3 s1 p0 512→256 @1', 512, [1, 1], convTranspose, { cin: 512, cout: 256, kernel: [3, 3], stride: [1, 1], pads: [0, 0, 0, 0] }],
    ['convT k4 s2 p1 512→128 @3', 512, [3, 3], convTranspose, { cin: 512, cout: 128, kernel: [4, 4], stride: [2, 2], pads: [1, 1, 1, 1] }],
    ['convT k4 s2 p1 256→64 @12', 256, [12, 12], convTranspose, { cin: 256, cout: 64, kernel: [4, 4], stride: [2, 2], pads: [1, 1, 1, 1] }],
    ['convT k4 s2 p1 64→32 @48', 64, [48, 48], convTranspose, { cin: 64, cout: 32, kernel: [4, 4], stride: [2, 2], pads: [1, 1, 1, 1] }],
    ['convT k4 s2 p1 8→4 @6', 8, [6, 6], convTranspose, { cin: 8, cout: 4, kernel: [4, 4], stride: [2, 2], pads: [1, 1, 1, 1] }],
  ];
  for (const [label, cin, size, layer, spec] of cases) {
    await compare(`B=${batch} ${label}`, oneOp(label, cin, size, layer, spec), randomFeeds(batch));
  }
}

const wav2lip = await ensureReferenceModel('wav2lip', 'medium');
for (const batch of [1, 8, 32]) {
  for (const layout of ['NCHW', 'NHWC']) {
    await compare(`wav2lip medium B=${batch} ${layout}`, wav2lip, randomFeeds(batch), {
      name: provider,
      preferredLayout: layout,
    });
  }
}
