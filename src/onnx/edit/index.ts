/** Whole-model ONNX editing: decode, edit, encode (byte-identical when nothing is edited). */
export type {
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxOpsetImport,
  OnnxTensor,
  OnnxTensorValues,
  OnnxValueInfo,
} from './types.ts';
export { decodeOnnxModel, decodeGraph } from './decode.ts';
export { encodeOnnxModel } from './encode.ts';
export { ModelProtoError } from './errors.ts';
export { floatValues, makeTensor, tensorValues } from './tensor-data.ts';
export { inferElemTypes } from './elem-types.ts';
