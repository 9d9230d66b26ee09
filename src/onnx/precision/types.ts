/**
 * Contracts of reel's precision tools: INT8 quantization (dynamic, and static QDQ from
 * calibrated ranges) and FP16 conversion of ONNX models, with the report each one returns.
 */
import type { OnnxModel } from '../edit/types.ts';

/** Observed value range of one tensor, from calibration runs. */
export interface TensorRange {
  min: number;
  max: number;
}

/** tensor name → range; what static quantization reads, what `rangesFromRuns` makes. */
export type ActivationRanges = ReadonlyMap<string, TensorRange>;

/** A node left in float32, and why. */
export interface SkippedNode {
  node: string;
  op: string;
  reason: string;
}

export interface QuantizationReport {
  /** Names of the nodes now computed in INT8. */
  quantized: string[];
  /** Weight-carrying nodes and candidate ops left in float32. */
  skipped: SkippedNode[];
  /** Weight elements of quantized nodes ÷ weight elements of all weight-carrying compute nodes. */
  quantizedWeightShare: number;
}

export interface PrecisionResult<R> {
  /** A new model; the input model is not modified. */
  model: OnnxModel;
  report: R;
}

export interface CommonQuantizeOptions {
  /** Node names to leave in float32. @defaultValue [] */
  excludeNodes?: readonly string[];
  /**
   * Accept a result where skipped compute nodes hold more weights than quantized ones. Without
   * it, quantizing such a model throws PrecisionError (it would be mostly float32 anyway).
   * @defaultValue false
   */
  allowPartial?: boolean;
}

export interface DynamicQuantizeOptions extends CommonQuantizeOptions {
  /** One int8 scale per output column of each weight matrix instead of one per matrix. @defaultValue false */
  perChannel?: boolean;
  /**
   * `integer-ops`: DynamicQuantizeLinear + MatMulInteger + Cast + Mul (what ORT's quantize_dynamic
   * writes, standard ONNX); `contrib`: com.microsoft DynamicQuantizeMatMul, one node per MatMul.
   * @defaultValue 'integer-ops' (as fast as `contrib` in ORT 1.30 on CPU; see dynamic.ts), or
   * 'contrib' for models below opset 11, which has no DynamicQuantizeLinear
   */
  format?: 'integer-ops' | 'contrib';
  /**
   * 7-bit weights ([-64, 64]): on x86 CPUs without VNNI, u8×s8 products are summed in pairs into
   * int16 and can saturate at full range. @defaultValue false
   */
  reduceRange?: boolean;
}

export type StaticOpType = 'Conv' | 'ConvTranspose' | 'MatMul' | 'Gemm';

export interface StaticQuantizeOptions extends CommonQuantizeOptions {
  /** Ops to quantize. @defaultValue ['Conv', 'ConvTranspose', 'MatMul', 'Gemm'] */
  opTypes?: readonly StaticOpType[];
  /** Per-output-channel weight scales for Conv (axis 0) and ConvTranspose (axis 1). @defaultValue true */
  perChannelConv?: boolean;
  /** Per-column weight scales for MatMul and Gemm. @defaultValue false */
  perChannelMatMul?: boolean;
  /**
   * A Relu that alone consumes a quantized node's output is removed: its range (min 0, zero
   * point 0) quantizes that output, and quantization clamps at 0 as Relu did. ORT's own
   * quantizer does the same. @defaultValue true
   */
  foldRelu?: boolean;
  /**
   * Rewrite each quantized ConvTranspose (1-D, or 2-D with equal strides; no groups or
   * dilations) as its polyphase Conv + interleave, which ORT runs as QLinearConv; ORT 1.30's
   * CPU provider has no int8 ConvTranspose, so without this a QDQ ConvTranspose computes in
   * float after dequantizing. @defaultValue true
   */
  convTransposeAsConv?: boolean;
}

export interface Fp16Options {
  /** Op types kept in float32, with Casts around them. @defaultValue FP16_DEFAULT_BLOCK_OPS */
  blockOps?: readonly string[];
  /** Node names kept in float32. @defaultValue [] */
  blockNodes?: readonly string[];
}

export interface Fp16Report {
  /** Nodes now computed in float16. */
  converted: string[];
  /** Nodes kept in float32 that touch float tensors, and why. */
  blocked: SkippedNode[];
  /** Cast nodes added at float32/float16 boundaries. */
  castsAdded: number;
}
