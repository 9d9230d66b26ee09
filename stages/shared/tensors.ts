/** Tensor data constructors for feeds (plain data: what the model layer takes and threads move). */
import type { TensorData } from '../../src/core/types.ts';

export const f32 = (data: Float32Array, dims: readonly number[]): TensorData => ({ dtype: 'float32', dims, data });

export const i64 = (values: ArrayLike<number>, dims: readonly number[]): TensorData => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(Array.from(values), (v) => BigInt(v)),
});

export const bool = (data: Uint8Array, dims: readonly number[]): TensorData => ({ dtype: 'bool', dims, data });

/** int64 tensor data as plain numbers. */
export function int64Values(t: TensorData): number[] {
  return Array.from(t.data as BigInt64Array, (v) => Number(v));
}

/** float32 tensor data, or an error naming what it is. */
export function float32Data(t: TensorData, what: string): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`${what}: expected float32, got ${t.dtype}`);
  return t.data as Float32Array;
}
