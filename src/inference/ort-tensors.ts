/** Tensors between reel's plain data (what crosses threads) and onnxruntime-node's own. */
import * as ort from 'onnxruntime-node';
import type { TensorData, TensorDType } from '../core/types.ts';

/** A feed: plain tensor data (what crosses threads) or an ort.Tensor already made. */
export type Feed = TensorData | ort.Tensor;

export function isTensorData(t: Feed): t is TensorData {
  return 'dtype' in t;
}

export function toOrt(t: Feed): ort.Tensor {
  if (!isTensorData(t)) return t;
  return new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims as number[]);
}

export function fromOrt(t: ort.Tensor): TensorData {
  return { dtype: t.type as TensorDType, dims: [...t.dims], data: t.data as TensorData['data'] };
}
