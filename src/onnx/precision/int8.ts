/**
 * The arithmetic of INT8 quantization, as ONNX Runtime's quantizer does it: int8 weights
 * symmetric around 0 (zero point 0, range ±127), uint8 activations asymmetric over the range
 * seen in calibration widened to hold 0, int32 biases at scale input·weight. Rounding is half to
 * even, as numpy's and the QuantizeLinear op's.
 */
import { PrecisionError } from './errors.ts';
import type { TensorRange } from './types.ts';

export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round sends .5 up; ties go to the even neighbour instead.
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

export interface QuantizedWeight {
  values: Int8Array;
  /** One per tensor ([1]) or one per channel of `axis`. */
  scales: Float32Array;
  zeroPoints: Int8Array;
  /** Set for per-channel weights. */
  axis?: number;
}

export interface WeightQuantizeSpec {
  /** Channel axis for per-channel scales; undefined = per tensor. */
  axis?: number;
  /** 7-bit weights ([-64, 64]) for CPUs whose u8×s8 kernels saturate at full range. */
  reduceRange?: boolean;
}

/** Symmetric int8 quantization of float weights `w` of shape `dims`. */
export function quantizeWeights(w: Float32Array, dims: readonly number[], spec: WeightQuantizeSpec): QuantizedWeight {
  const qmax = spec.reduceRange ? 64 : 127;
  const axis = spec.axis;
  const channels = axis === undefined ? 1 : dims[axis];
  const inner = axis === undefined ? w.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === undefined ? 0 : Math.floor(i / inner) % channels);
  const absMax = new Float64Array(channels);
  for (let i = 0; i < w.length; i++) {
    const a = Math.abs(w[i]);
    if (!Number.isFinite(a)) throw new PrecisionError(`weight element ${i} is ${w[i]}: cannot quantize`);
    const c = channelOf(i);
    if (a > absMax[c]) absMax[c] = a;
  }
  // An all-zero channel gets scale 1, as ORT's quantizer gives it (any scale represents 0).
  const scales = Float32Array.from(absMax, (m) => (m === 0 ? 1 : m / qmax));
  const values = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) values[i] = clamp(roundHalfEven(w[i] / scales[channelOf(i)]), -qmax, qmax);
  return { values, scales, zeroPoints: new Int8Array(channels), axis };
}

export interface ActivationQuantization {
  scale: number;
  zeroPoint: number;
}

/** uint8 scale and zero point of an activation range (widened to hold 0, so that 0 is exact). */
export function uint8Quantization(name: string, range: TensorRange): ActivationQuantization {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || range.min > range.max)
    throw new PrecisionError(`range of "${name}" is [${range.min}, ${range.max}]: expected finite min ≤ max`);
  const min = Math.min(range.min, 0);
  const max = Math.max(range.max, 0);
  const scale = Math.fround(max === min ? 1 : (max - min) / 255);
  return { scale, zeroPoint: clamp(roundHalfEven(-min / scale), 0, 255) };
}

/** int32 bias at scale inputScale·weightScale[c], per output channel (channel = index for 1-D biases). */
export function quantizeBias(
  b: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): {
  values: Int32Array;
  scales: Float32Array;
} {
  const scales = Float32Array.from(b, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]);
  const values = Int32Array.from(b, (v, c) => clamp(roundHalfEven(v / scales[c]), -(2 ** 31), 2 ** 31 - 1));
  return { values, scales };
}

/** [rows, cols] row-major → [cols, rows]. */
export function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}
