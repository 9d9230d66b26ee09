/** Tensors between reel's plain data (what crosses threads) and onnxruntime-node's own. */
import * as ort from 'onnxruntime-node';
import type { TensorData, TensorDType } from '../core/types.ts';
import { ownsWholeBuffer } from '../runtime/transfer.ts';

/** A feed: plain tensor data (what crosses threads) or an ort.Tensor already made. */
export type Feed = TensorData | ort.Tensor;

export function isTensorData(t: Feed): t is TensorData {
  return 'dtype' in t;
}

/**
 * The feed as an ort.Tensor, without a copy — but for data in shared memory (a packet shared by
 * several workers, transfer.ts), which onnxruntime-node refuses ("Invalid argument"): copied.
 */
export function toOrt(t: Feed): ort.Tensor {
  if (!isTensorData(t)) return t;
  const data = t.data.buffer instanceof SharedArrayBuffer ? t.data.slice() : t.data;
  return new ort.Tensor(t.dtype as 'float32', data as Float32Array, t.dims as number[]);
}

export function fromOrt(t: ort.Tensor): TensorData {
  return { dtype: t.type as TensorDType, dims: [...t.dims], data: t.data as TensorData['data'] };
}

/**
 * A tensor as it is posted to another thread, and what may be moved rather than copied. Posting a
 * typed array copies its whole buffer, not only the part it views: a feed viewing part of a buffer
 * the stage reuses (a VAD's joined signal) would carry all of it. Such a feed goes as a copy of
 * its view, moved (transferred); one that spans its buffer goes as it is, copied by the post (the
 * stage may still hold it).
 */
export function forPosting(t: TensorData): { tensor: TensorData; transfer?: ArrayBuffer } {
  const data = t.data;
  if (ownsWholeBuffer(data)) return { tensor: t };
  const copy = data.slice();
  return { tensor: { ...t, data: copy }, transfer: copy.buffer as ArrayBuffer };
}
