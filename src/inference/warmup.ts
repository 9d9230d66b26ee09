/**
 * Warm-up: a few runs on representative shapes before the first chunk, so the first real chunk
 * does not pay for lazy allocation, kernel selection or (on TensorRT) engine building.
 */
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import type { TensorData } from '../core/types.ts';

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
