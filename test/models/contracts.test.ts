/**
 * Every tiny reference model loads in onnxruntime-node, declares exactly its manifest's
 * contract, and runs at several input lengths with outputs of the promised shapes, all finite.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildReferenceModel } from '../../models/generate.ts';
import { FAMILY_IDS, MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { vaeCacheChannels } from '../../models/families/vae.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';
import { feedsFor, sessionOptions } from './feeds.ts';

const LENGTHS: Record<FamilyId, number[]> = {
  'content-encoder': [400, 3200, 8000],
  rvc: [4, 13, 30],
  'vallex-ar': [1, 7, 20],
  'vallex-nar': [3, 12],
  'vallex-codec': [1, 9, 25],
  fastpitch: [4, 9],
  hifigan: [1, 8, 33],
  wav2lip: [1, 3],
  'face-detect': [1],
  'text-encoder': [1, 10, 226],
  dit: [1, 3],
  vae: [1, 2, 3],
  'silero-vad': [576, 1088],
};

function tinyDims(family: FamilyId): Record<string, number> {
  const h = MANIFESTS[family].scales.tiny as Record<string, unknown>;
  if (family === 'vae') return { cache: vaeCacheChannels(h as never) };
  if (family === 'dit') return { dim: h.textDim as number };
  return { layers: h.layers as number, heads: h.heads as number, dim: h.dim as number };
}

describe.each(FAMILY_IDS)('reference model %s (tiny)', (family) => {
  const manifest = MANIFESTS[family];
  const bytes = buildReferenceModel(family, 'tiny');

  it('is small and declares the manifest contract', async () => {
    expect(bytes.length).toBeLessThan(700_000);
    const dir = await mkdtemp(join(tmpdir(), 'reel-contract-'));
    const file = join(dir, `${family}.onnx`);
    await writeFile(file, bytes);
    const info = await inspectModel(file);
    expect(info.opset).toBeGreaterThanOrEqual(17);
    expect(info.inputs.map((t) => t.name)).toEqual(manifest.inputs.map((t) => t.name));
    expect(info.outputs.map((t) => t.name)).toEqual(manifest.outputs.map((t) => t.name));
    for (const [declared, spec] of [
      ...info.inputs.map((t, i) => [t, manifest.inputs[i]] as const),
      ...info.outputs.map((t, i) => [t, manifest.outputs[i]] as const),
    ]) {
      expect(declared.dtype, declared.name).toBe(spec.dtype);
      expect(declared.shape.length, declared.name).toBe(spec.shape.length);
      spec.shape.forEach((d, axis) => {
        // A fixed size in the contract is fixed in the file; a symbolic one may be either.
        if (typeof d === 'number') expect(declared.shape[axis], `${declared.name}[${axis}]`).toBe(d);
      });
    }
  });

  it.each(LENGTHS[family])('runs at length %i with finite outputs of the promised shapes', async (n) => {
    const session = await ort.InferenceSession.create(bytes, sessionOptions());
    try {
      const { feeds, expect: shapes } = feedsFor(family, n, tinyDims(family));
      const out = await session.run(feeds);
      expect(Object.keys(out).sort()).toEqual(manifest.outputs.map((t) => t.name).sort());
      for (const [name, dims] of Object.entries(shapes)) expect(out[name].dims, name).toEqual(dims);
      for (const spec of manifest.outputs) {
        const t = out[spec.name];
        if (t.type === 'float32')
          expect((t.data as Float32Array).every(Number.isFinite), `${spec.name} finite`).toBe(true);
        expect(t.dims.length).toBe(spec.shape.length);
      }
    } finally {
      await session.release();
    }
  });
});
