/**
 * INT8 and FP16 variants of the medium reference models against float32, on onnxruntime-node's
 * CPU provider with one intra-op thread: median run time of `reps` runs (after one warm-up) and
 * the relative RMS error of the outputs on a held-out random input.
 *   static INT8 (QDQ, minmax ranges from 3 random-input runs): wav2lip (8 frames), hifigan (86 frames ≈ 1 s)
 *   dynamic INT8: vallex-ar, a 64-token prompt pass and one step over a 256-position cache, both formats
 *   FP16: hifigan
 * Usage: npx tsx scripts/bench/precision-models.ts [reps=7]
 * On a shared 2-core machine the figures are noisy: compare ratios of one run, not absolute times.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { buildReferenceModel } from '../../models/generate.ts';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { decodeOnnxModel } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../src/onnx/edit/encode.ts';
import type { OnnxModel } from '../../src/onnx/edit/types.ts';
import { activationTensorsToCalibrate, addOutputs } from '../../src/onnx/precision/calibrate.ts';
import { quantizeDynamic } from '../../src/onnx/precision/dynamic.ts';
import { convertFp16 } from '../../src/onnx/precision/fp16.ts';
import { rangesFromRuns } from '../../src/onnx/precision/ranges.ts';
import { quantizeStatic } from '../../src/onnx/precision/static.ts';
import { feedsFor, type Feeds } from '../../test/models/feeds.ts';
import { redrawUniform } from '../../test/onnx/precision-fixtures.ts';

const reps = Number(process.argv[2] ?? 7);
const options: ort.InferenceSession.SessionOptions = {
  logSeverityLevel: 3,
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
};

function mediumModel(family: FamilyId): Uint8Array {
  const path = `models/build/medium/${family}.onnx`;
  return existsSync(path) ? readFileSync(path) : buildReferenceModel(family, 'medium');
}

function relativeRms(a: ort.InferenceSession.OnnxValueMapType, b: ort.InferenceSession.OnnxValueMapType): number {
  let err = 0;
  let ref = 0;
  for (const k of Object.keys(a)) {
    if (a[k].type !== 'float32') continue;
    const x = a[k].data as Float32Array;
    const y = b[k].data as Float32Array;
    for (let i = 0; i < x.length; i++) {
      err += (x[i] - y[i]) ** 2;
      ref += x[i] ** 2;
    }
  }
  return Math.sqrt(err / Math.max(ref, 1e-30));
}

async function medianMs(
  session: ort.InferenceSession,
  feeds: Feeds,
): Promise<{ median: number; min: number; max: number }> {
  await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1] };
}

const rows: string[][] = [['model', 'input', 'variant', 'ms median', 'min–max', 'vs fp32', 'rel. RMS err', 'bytes']];

async function compare(label: string, input: string, fp32: Uint8Array, variants: [string, Uint8Array][], feeds: Feeds) {
  const base = await ort.InferenceSession.create(fp32, options);
  const reference = await base.run(feeds);
  const t = await medianMs(base, feeds);
  rows.push([
    label,
    input,
    'fp32',
    t.median.toFixed(1),
    `${t.min.toFixed(1)}–${t.max.toFixed(1)}`,
    '1.00×',
    '—',
    String(fp32.length),
  ]);
  await base.release();
  for (const [name, bytes] of variants) {
    const s = await ort.InferenceSession.create(bytes, options);
    const err = relativeRms(reference, await s.run(feeds));
    const v = await medianMs(s, feeds);
    const speedup = `${(t.median / v.median).toFixed(2)}×`;
    rows.push([
      label,
      input,
      name,
      v.median.toFixed(1),
      `${v.min.toFixed(1)}–${v.max.toFixed(1)}`,
      speedup,
      err.toExponential(1),
      String(bytes.length),
    ]);
    await s.release();
  }
}

async function staticInt8(model: OnnxModel, calibration: Feeds[]): Promise<Uint8Array> {
  const names = activationTensorsToCalibrate(model);
  const session = await ort.InferenceSession.create(encodeOnnxModel(addOutputs(model, names)), options);
  const runs = [];
  for (const feeds of calibration) runs.push(await session.run(feeds, names));
  await session.release();
  return encodeOnnxModel(quantizeStatic(model, rangesFromRuns(runs)).model);
}

for (const [family, frames] of [
  ['wav2lip', 8],
  ['hifigan', 86],
] as const) {
  const bytes = mediumModel(family);
  const { feeds } = feedsFor(family, frames, MANIFESTS[family].scales.medium as Record<string, number>);
  const int8 = await staticInt8(
    decodeOnnxModel(bytes),
    [1, 2, 3].map((seed) => redrawUniform(feeds, seed)),
  );
  const variants: [string, Uint8Array][] = [['static int8', int8]];
  if (family === 'hifigan') variants.push(['fp16', encodeOnnxModel(convertFp16(decodeOnnxModel(bytes)).model)]);
  await compare(family, `${frames} frames`, bytes, variants, redrawUniform(feeds, 99));
}

{
  const bytes = mediumModel('vallex-ar');
  const model = decodeOnnxModel(bytes);
  const h = MANIFESTS['vallex-ar'].scales.medium as Record<string, number>;
  const variants: [string, Uint8Array][] = [
    ['dynamic int8 integer-ops', encodeOnnxModel(quantizeDynamic(model, { format: 'integer-ops' }).model)],
    ['dynamic int8 contrib', encodeOnnxModel(quantizeDynamic(model, { format: 'contrib' }).model)],
  ];
  await compare('vallex-ar', '64-token prompt', bytes, variants, redrawUniform(feedsFor('vallex-ar', 64, h).feeds, 99));
  const past = 256;
  const hd = h.dim / h.heads;
  const step: Feeds = {
    xy_pos: redrawUniform(feedsFor('vallex-ar', 1, h).feeds, 7).xy_pos,
    mask: new ort.Tensor(
      'bool',
      new Uint8Array((past + 1) ** 2).map((_, i) => (i % (past + 1) > Math.floor(i / (past + 1)) ? 1 : 0)),
      [past + 1, past + 1],
    ),
    past_kv: new ort.Tensor(
      'float32',
      Float32Array.from({ length: h.layers * 2 * h.heads * past * hd }, (_, i) => Math.sin(i * 0.37) * 0.5),
      [h.layers, 2, 1, h.heads, past, hd],
    ),
    offset: new ort.Tensor('int64', BigInt64Array.of(BigInt(past)), []),
  };
  await compare('vallex-ar', `1 step, ${past} cached`, bytes, variants, step);
}

const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
process.stdout.write(`${rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')).join('\n')}\n`);
