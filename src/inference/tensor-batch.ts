/**
 * Stacking tensors along the batch axis (axis 0) and splitting results back, for dynamic
 * batching; and padding a short chunk to a stage's fixed shape (then trimming the output).
 */
import type { TensorBuffer, TensorData } from '../core/types.ts';

type Ctor = { new (n: number): TensorBuffer };

function ctorOf(data: TensorBuffer): Ctor {
  return data.constructor as Ctor;
}

/** Concatenates tensors that agree on dtype and every axis but the first. */
export function concatBatch(tensors: readonly TensorData[]): TensorData {
  if (tensors.length === 0) throw new RangeError('concatBatch needs at least one tensor');
  const [first] = tensors;
  const tail = first.dims.slice(1).join('x');
  for (const t of tensors) {
    if (t.dtype !== first.dtype || t.dims.slice(1).join('x') !== tail) {
      throw new RangeError(
        `cannot batch ${t.dtype} [${t.dims}] with ${first.dtype} [${first.dims}]: all but the first axis must agree`,
      );
    }
  }
  const total = tensors.reduce((n, t) => n + t.data.length, 0);
  const data = new (ctorOf(first.data))(total);
  let offset = 0;
  for (const t of tensors) {
    (data as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(
      t.data as ArrayLike<number | bigint>,
      offset,
    );
    offset += t.data.length;
  }
  const batch = tensors.reduce((n, t) => n + t.dims[0], 0);
  return { dtype: first.dtype, dims: [batch, ...first.dims.slice(1)], data };
}

/** Splits along axis 0 into pieces of `sizes` items (copies, so each piece can be transferred). */
export function splitBatch(tensor: TensorData, sizes: readonly number[]): TensorData[] {
  const per = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
  const out: TensorData[] = [];
  let start = 0;
  for (const n of sizes) {
    out.push({
      dtype: tensor.dtype,
      dims: [n, ...tensor.dims.slice(1)],
      data: tensor.data.slice(start * per, (start + n) * per) as TensorBuffer,
    });
    start += n;
  }
  if (start !== tensor.dims[0]) throw new RangeError(`split sizes add to ${start}, tensor has ${tensor.dims[0]} items`);
  return out;
}

/** Zero-pads (or keeps) `axis` up to `length` so every run has the same shape. */
export function padAxis(tensor: TensorData, axis: number, length: number): TensorData {
  const dims = [...tensor.dims];
  if (dims[axis] === length) return tensor;
  if (dims[axis] > length) throw new RangeError(`axis ${axis} is ${dims[axis]}, longer than the fixed ${length}`);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = new (ctorOf(tensor.data))(outer * length * inner);
  for (let o = 0; o < outer; o++) {
    const src = tensor.data.subarray(o * dims[axis] * inner, (o + 1) * dims[axis] * inner);
    (data as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(
      src as ArrayLike<number | bigint>,
      o * length * inner,
    );
  }
  dims[axis] = length;
  return { dtype: tensor.dtype, dims, data };
}

/** Keeps the first `length` entries of `axis` (undoes padAxis on an output). */
export function trimAxis(tensor: TensorData, axis: number, length: number): TensorData {
  const dims = [...tensor.dims];
  if (dims[axis] === length) return tensor;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = new (ctorOf(tensor.data))(outer * length * inner);
  for (let o = 0; o < outer; o++) {
    const src = tensor.data.subarray(o * dims[axis] * inner, o * dims[axis] * inner + length * inner);
    (data as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(
      src as ArrayLike<number | bigint>,
      o * length * inner,
    );
  }
  dims[axis] = length;
  return { dtype: tensor.dtype, dims, data };
}
