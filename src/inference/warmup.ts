/**
 * Warm-up: a few runs on representative shapes before the first chunk, so the first real chunk
 * does not pay for lazy allocation, kernel selection or (on TensorRT) engine building.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { ModelContract } from '../core/contract.ts';
import type { TensorBuffer, TensorData, TensorDType } from '../core/types.ts';

const ZEROS: Record<TensorDType, (n: number) => TensorBuffer> = {
  float32: (n) => new Float32Array(n),
  float16: (n) => new Uint16Array(n),
  int64: (n) => new BigInt64Array(n),
  int32: (n) => new Int32Array(n),
  int8: (n) => new Int8Array(n),
  uint8: (n) => new Uint8Array(n),
  bool: (n) => new Uint8Array(n),
};

/**
 * Zero feeds for every required input of `contract`, symbolic dims taken from `dims` (default 1).
 * Stages whose models need consistent values (lengths, offsets) pass `override`.
 */
export function zeroFeeds(
  contract: ModelContract,
  dims: Readonly<Record<string, number>> = {},
  override: Readonly<Record<string, TensorData>> = {},
): Record<string, TensorData> {
  const feeds: Record<string, TensorData> = {};
  for (const spec of contract.inputs) {
    if (spec.optional) continue;
    if (override[spec.name]) {
      feeds[spec.name] = override[spec.name];
      continue;
    }
    const shape = spec.shape.map((d) => (typeof d === 'number' ? d : (dims[d] ?? 1)));
    feeds[spec.name] = { dtype: spec.dtype, dims: shape, data: ZEROS[spec.dtype](shape.reduce((a, b) => a * b, 1)) };
  }
  return feeds;
}

/** Runs the session `runs` times on `feeds`; returns the time of each run, ms. */
export async function warmUp(
  session: InferenceSession,
  feeds: Readonly<Record<string, TensorData>>,
  runs: number,
  makeTensor: (t: TensorData) => Tensor,
): Promise<number[]> {
  const tensors = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, makeTensor(t)]));
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await session.run(tensors);
    times.push(performance.now() - started);
  }
  return times;
}
