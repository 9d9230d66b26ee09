/**
 * The QuantizeLinear/DequantizeLinear nodes and the int8/uint8/int32 initializers of static
 * quantization, named as ONNX Runtime's quantizer names them (`x_quantized`, `x_scale`,
 * `x_zero_point`, `x_DequantizeLinear_Output`).
 */
import { makeIntAttr, makeNode, type NameAllocator } from '../edit/graph.ts';
import { floatValues, makeTensor } from '../edit/tensor-data.ts';
import type { OnnxNode, OnnxTensor, OnnxTensorValues } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { quantizeBias, quantizeWeights, uint8Quantization } from './int8.ts';
import type { TensorRange } from './types.ts';

export interface QdqNodes {
  nodes: OnnxNode[];
  /** The dequantized tensor to read in place of the original. */
  output: string;
}

export interface ActivationParams {
  scale: string;
  zeroPoint: string;
}

export class QdqWriter {
  readonly newInitializers: OnnxTensor[] = [];
  private readonly weights = new Map<string, QdqNodes & { scales: Float32Array }>();

  constructor(
    private readonly names: NameAllocator,
    /** '' for ONNX's Q/DQ (opset ≥ 13), 'com.microsoft' for ORT's. */
    private readonly domain: string,
  ) {}

  private constant(name: string, dataType: number, dims: readonly number[], values: OnnxTensorValues): string {
    const fresh = this.names.fresh(name);
    this.newInitializers.push(makeTensor(fresh, dataType, dims, values));
    return fresh;
  }

  private dequantize(
    base: string,
    inputs: string[],
    axis: number | undefined,
    output = this.names.fresh(`${base}_DequantizeLinear_Output`),
  ): QdqNodes {
    const node = makeNode({
      opType: 'DequantizeLinear',
      domain: this.domain,
      name: this.names.fresh(`${base}_DequantizeLinear`),
      inputs,
      outputs: [output],
      attributes: axis === undefined ? [] : [makeIntAttr('axis', axis)],
    });
    return { nodes: [node], output };
  }

  activationScale(name: string, range: TensorRange): number {
    return uint8Quantization(name, range).scale;
  }

  /** The uint8 scale and zero point initializers of an activation range. */
  params(name: string, range: TensorRange): ActivationParams {
    const q = uint8Quantization(name, range);
    return {
      scale: this.constant(`${name}_scale`, ONNX_DTYPE.float32, [], Float32Array.of(q.scale)),
      zeroPoint: this.constant(`${name}_zero_point`, ONNX_DTYPE.uint8, [], Uint8Array.of(q.zeroPoint)),
    };
  }

  quantize(name: string, source: string, p: ActivationParams): { node: OnnxNode; output: string } {
    const output = this.names.fresh(`${name}_quantized`);
    const node = makeNode({
      opType: 'QuantizeLinear',
      domain: this.domain,
      name: this.names.fresh(`${name}_QuantizeLinear`),
      inputs: [source, p.scale, p.zeroPoint],
      outputs: [output],
    });
    return { node, output };
  }

  /** DQ of `input`, writing `output` (default: a new `name_DequantizeLinear_Output`). */
  dequantizeActivation(name: string, input: string, p: ActivationParams, output?: string): QdqNodes {
    return this.dequantize(name, [input, p.scale, p.zeroPoint], undefined, output);
  }

  /**
   * Q → DQ on an activation. With `producer` (a tensor that keeps its name: a graph output, or
   * one a subgraph reads), the producer writes a new name and the DQ writes the original one.
   */
  activation(name: string, range: TensorRange, producer?: OnnxNode): QdqNodes {
    const p = this.params(name, range);
    let source = name;
    if (producer) {
      source = this.names.fresh(`${name}_float`);
      producer.outputs[producer.outputs.indexOf(name)] = source;
    }
    const q = this.quantize(name, source, p);
    const dq = this.dequantizeActivation(name, q.output, p, producer ? name : undefined);
    return { nodes: [q.node, ...dq.nodes], output: dq.output };
  }

  /** int8 weight + DQ; a weight read by several nodes is quantized once (nodes only for the first). */
  weight(t: OnnxTensor, axis: number | undefined): QdqNodes & { scales: Float32Array } {
    const key = `${t.name}|${axis}`;
    const known = this.weights.get(key);
    if (known) return { ...known, nodes: [] };
    const q = quantizeWeights(floatValues(t), t.dims, { axis });
    const dims = axis === undefined ? [] : [t.dims[axis]];
    const values = this.constant(`${t.name}_quantized`, ONNX_DTYPE.int8, t.dims, q.values);
    const scale = this.constant(`${t.name}_scale`, ONNX_DTYPE.float32, dims, q.scales);
    const zeroPoint = this.constant(`${t.name}_zero_point`, ONNX_DTYPE.int8, dims, q.zeroPoints);
    const made = { ...this.dequantize(t.name, [values, scale, zeroPoint], axis), scales: q.scales };
    this.weights.set(key, made);
    return made;
  }

  /** int32 bias at scale input·weight (per channel when the weight is) + DQ. */
  bias(t: OnnxTensor, inputScale: number, weightScales: Float32Array): QdqNodes {
    const b = quantizeBias(floatValues(t), inputScale, weightScales);
    const perChannel = weightScales.length > 1;
    const dims = perChannel ? [b.scales.length] : [];
    const values = this.constant(`${t.name}_quantized`, ONNX_DTYPE.int32, t.dims, b.values);
    const scale = this.constant(
      `${t.name}_scale`,
      ONNX_DTYPE.float32,
      dims,
      perChannel ? b.scales : Float32Array.of(b.scales[0] ?? inputScale * weightScales[0]),
    );
    const zeroPoint = this.constant(`${t.name}_zero_point`, ONNX_DTYPE.int32, dims, new Int32Array(dims[0] ?? 1));
    return this.dequantize(t.name, [values, scale, zeroPoint], perChannel ? 0 : undefined);
  }
}
