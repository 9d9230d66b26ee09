/**
 * A stage's model at the precision it asks for (`precision: fp16 | int8`): built from the model
 * file on first use and kept in the variant cache, content-addressed by the model's bytes, the
 * precision, the calibration ranges (static INT8) and reel's variant version — a re-export, new
 * ranges or a new reel builds anew, and the same inputs always give the same file.
 *
 * fp16 converts weights and compute to float16 with float32 at the edges; int8 quantizes
 * statically from the stage's `calibration:` ranges, else dynamically (MatMul/Gemm weights int8,
 * activations quantized at run time; convolutions stay float32 — without ranges they cannot be
 * quantized well). The variant keeps the model's inputs and outputs, so the family's contract
 * check still applies.
 */
import { createHash } from 'node:crypto';
import { readFile, stat, utimes } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic } from '../../models/write-atomic.ts';
import { modelFileHash } from '../inference/model-file-hash.ts';
import { ModelError } from '../core/errors.ts';
import type { Precision } from '../core/settings.ts';
import { decodeOnnxModel } from '../onnx/edit/decode.ts';
import { encodeOnnxModel } from '../onnx/edit/encode.ts';
import type { OnnxModel } from '../onnx/edit/types.ts';
import { quantizeDynamic } from '../onnx/precision/dynamic.ts';
import { convertFp16 } from '../onnx/precision/fp16.ts';
import { quantizeStatic } from '../onnx/precision/static.ts';
import { readRangesFile } from './calibration-table.ts';
import { variantDir } from './variant-dir.ts';
import { checkVariant } from './variant-check.ts';

/** Bumped when a variant of the same inputs would come out different. */
const VARIANT_VERSION = 1;

export interface ModelVariant {
  /** The file to open: the variant, or the model itself for fp32. */
  path: string;
  /** One line for the run log: which variant the stage took. */
  note?: string;
  /** Something the user should look at, e.g. ranges measured on another model file. */
  warning?: string;
}

/** Dynamic INT8 quantizes MatMul/Gemm only: a model without them needs calibrated ranges. */
function refuseWithoutMatMul(file: string, model: OnnxModel): void {
  const ops = new Map<string, number>();
  for (const n of model.graph.nodes) ops.set(n.opType, (ops.get(n.opType) ?? 0) + 1);
  if (ops.has('MatMul') || ops.has('Gemm')) return;
  const heavy = ['Conv', 'ConvTranspose'].filter((op) => ops.has(op)).map((op) => `${op} ×${ops.get(op)}`);
  throw new ModelError(
    file,
    `precision: int8 without calibration quantizes MatMul and Gemm, and this model has none${heavy.length ? ` (its weights are in ${heavy.join(', ')})` : ''}; ` +
      `measure ranges on your samples with reel models quantize ${basename(file)} --out X.onnx --calibrate PIPELINE.yaml --input …, then set the stage's calibration: X.ranges.json`,
  );
}

export async function modelVariant(
  file: string,
  precision: Precision,
  calibration?: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ModelVariant> {
  if (precision === 'fp32') return { path: file };
  // The digest is remembered per file version, so a stage opening its model again (a replica, the
  // next clip) neither reads nor hashes it again; the bytes are read only to build the variant.
  const digest = await modelFileHash(file);
  const ranges = precision === 'int8' && calibration ? await readRangesFile(calibration) : undefined;
  const method = precision === 'fp16' ? 'fp16' : ranges ? `int8 static (${ranges.file.method} ranges)` : 'int8 dynamic';
  const key = createHash('sha256')
    .update(`reel-variant ${VARIANT_VERSION} ${precision} ${digest}\n`)
    .update(ranges ? JSON.stringify([...ranges.ranges]) : '')
    .digest('hex')
    .slice(0, 24);
  const out = join(variantDir(env), `${basename(file, '.onnx')}.${precision}.${key}.onnx`);
  const note = `${method} variant of ${basename(file)}`;
  const warning =
    ranges && ranges.file.model !== digest
      ? `${calibration} was measured on another model than ${basename(file)}; if the model was exported again, measure again (reel models quantize --calibrate)`
      : undefined;
  const there = await stat(out).catch(() => undefined);
  if (there) {
    const now = new Date();
    await utimes(out, now, now).catch(() => undefined); // last use, for whoever cleans the folder
    return { path: out, note, warning };
  }
  const bytes = await readFile(file);
  const model = decodeOnnxModel(bytes);
  if (precision === 'int8' && !ranges) refuseWithoutMatMul(file, model);
  const built =
    precision === 'fp16'
      ? convertFp16(model).model
      : ranges
        ? quantizeStatic(model, ranges.ranges).model
        : quantizeDynamic(model, { allowPartial: true }).model;
  const encoded = encodeOnnxModel(built);
  // A variant that does not load is never cached: the next run would fail on it again.
  await checkVariant(encoded, out);
  await writeFileAtomic(out, encoded);
  return { path: out, note, warning };
}
