/**
 * Stage precision variants (src/precision/variants.ts) on tiny reference models: content-addressed
 * and built once, static INT8 from a ranges file, a warning when the ranges belong to another
 * model, and a refusal that says what to do when dynamic INT8 has nothing to quantize.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceModelPath, ensureReferenceModel } from '../../models/reference.ts';
import { fromOrt } from '../../src/inference/ort-tensors.ts';
import { decodeOnnxModel } from '../../src/onnx/edit/decode.ts';
import { measureRanges } from '../../src/precision/calibrate.ts';
import { rangesJson } from '../../src/precision/calibration-table.ts';
import { modelVariant } from '../../src/precision/variants.ts';
import { randomFeeds } from '../onnx/precision-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-variants-'));
const env = { REEL_VARIANT_DIR: join(dir, 'variants') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rangesFor(family: 'content-encoder', file: string, claimedModel?: string): Promise<string> {
  const bytes = readFileSync(file);
  const feeds = [1, 2].map((seed) =>
    Object.fromEntries(Object.entries(randomFeeds(family, seed)).map(([k, t]) => [k, fromOrt(t)])),
  );
  const ranges = await measureRanges(decodeOnnxModel(bytes), feeds, { method: 'minmax' });
  const out = join(dir, `${family}-${claimedModel ? 'other' : 'own'}.ranges.json`);
  const model = claimedModel ?? createHash('sha256').update(bytes).digest('hex');
  writeFileSync(
    out,
    rangesJson({ model, method: 'minmax', runs: 2, source: 'test', ranges: Object.fromEntries(ranges) }),
  );
  return out;
}

describe('modelVariant', () => {
  it('fp32 is the model itself; fp16 is built once and found again by content', async () => {
    const file = await ensureReferenceModel('content-encoder', 'tiny');
    expect(await modelVariant(file, 'fp32', undefined, env)).toEqual({ path: file });
    const first = await modelVariant(file, 'fp16', undefined, env);
    expect(first.path).not.toBe(file);
    expect(first.note).toBe('fp16 variant of content-encoder.onnx');
    const built = statSync(first.path).ino;
    const again = await modelVariant(file, 'fp16', undefined, env);
    expect(again.path).toBe(first.path);
    expect(statSync(again.path).ino).toBe(built); // found, not written again
  });

  it('int8 with ranges is static, keyed by the ranges too; ranges of another model are a warning', async () => {
    const file = await ensureReferenceModel('content-encoder', 'tiny');
    const own = await rangesFor('content-encoder', file);
    const dynamic = await modelVariant(file, 'int8', undefined, env);
    const calibrated = await modelVariant(file, 'int8', own, env);
    expect(dynamic.note).toBe('int8 dynamic variant of content-encoder.onnx');
    expect(calibrated.note).toBe('int8 static (minmax ranges) variant of content-encoder.onnx');
    expect(calibrated.path).not.toBe(dynamic.path);
    expect(calibrated.warning).toBeUndefined();
    const other = await rangesFor('content-encoder', file, 'f'.repeat(64));
    expect((await modelVariant(file, 'int8', other, env)).warning).toMatch(
      /was measured on another model than content-encoder\.onnx/,
    );
  });

  it('int8 without ranges on a model with no MatMul says how to calibrate', async () => {
    const file = await ensureReferenceModel('hifigan', 'tiny');
    expect(file).toBe(referenceModelPath('hifigan', 'tiny'));
    await expect(modelVariant(file, 'int8', undefined, env)).rejects.toThrow(
      /quantizes MatMul and Gemm, and this model has none \(its weights are in Conv ×\d+, ConvTranspose ×\d+\); measure ranges .*reel models quantize hifigan\.onnx/,
    );
  });
});
