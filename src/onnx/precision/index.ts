/** INT8 (dynamic, static QDQ) and FP16 variants of ONNX models. */
export type {
  ActivationRanges,
  DynamicQuantizeOptions,
  Fp16Options,
  Fp16Report,
  PrecisionResult,
  QuantizationReport,
  SkippedNode,
  StaticOpType,
  StaticQuantizeOptions,
  TensorRange,
} from './types.ts';
export { PrecisionError } from './errors.ts';
export { quantizeDynamic } from './dynamic.ts';
export { quantizeStatic } from './static.ts';
export { activationTensorsToCalibrate, addOutputs } from './calibrate.ts';
export { RangeCollector, rangesFromRuns, type CalibrationMethod, type RunOutputs } from './ranges.ts';
export { convertFp16 } from './fp16.ts';
export { FP16_DEFAULT_BLOCK_OPS } from './fp16-plan.ts';
