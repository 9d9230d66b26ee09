/**
 * onnxruntime plumbing shared by the talking-head model runners: one way to open a session (one
 * intra-op thread, quiet logs — stages run in their own workers, and an idle multi-threaded
 * session would spin a core), tensor constructors, and output look-up that names the model file
 * and the outputs it does have when one is missing.
 */
import * as ort from 'onnxruntime-node';
import { ModelError } from '../../src/core/errors.ts';

export type Feeds = Record<string, ort.Tensor>;

export const SESSION_OPTIONS: Readonly<ort.InferenceSession.SessionOptions> = Object.freeze({
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  logSeverityLevel: 3,
});

/** A session on `path` with reel's CPU defaults; failures become ModelErrors naming the file. */
export async function openSession(path: string, options: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(path, { ...SESSION_OPTIONS, ...options });
  } catch (cause) {
    throw new ModelError(path, `could not load the model: ${(cause as Error).message}`, { cause });
  }
}

export const f32 = (data: Float32Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('float32', data, dims);

export const i64 = (values: ArrayLike<number> | readonly number[], dims: readonly number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(Array.from(values as ArrayLike<number>), (v) => BigInt(v)), dims);

export const bool = (data: Uint8Array, dims: readonly number[]): ort.Tensor => new ort.Tensor('bool', data, dims);

/** Runs `session` and returns the named outputs, or a ModelError listing what the model gave. */
export async function runOutputs<K extends string>(
  session: ort.InferenceSession,
  feeds: Feeds,
  names: readonly K[],
  model = 'model',
): Promise<Record<K, ort.Tensor>> {
  let out: ort.InferenceSession.ReturnType;
  try {
    out = await session.run(feeds);
  } catch (cause) {
    const given = Object.entries(feeds).map(([k, t]) => `${k} ${t.type}[${t.dims.join(',')}]`).join(', ');
    throw new ModelError(model, `run failed with feeds ${given}: ${(cause as Error).message}`, { cause });
  }
  const result = {} as Record<K, ort.Tensor>;
  for (const name of names) {
    const t = out[name];
    if (!t) throw new ModelError(model, `output "${name}" missing; the model gives ${Object.keys(out).join(', ')}`);
    result[name] = t;
  }
  return result;
}

/** int64 tensor data as plain numbers. */
export function int64Values(t: ort.Tensor): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}
