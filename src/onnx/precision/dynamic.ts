/**
 * Dynamic INT8 quantization: weights of MatMul (and Gemm) with a constant float32 matrix become
 * int8 once; activations are quantized to uint8 at run time, per call, from their own min/max.
 * No calibration needed. Everything else stays float32.
 *
 * Two encodings (`format`), equal in numbers:
 * - `integer-ops` (ORT's quantize_dynamic): DynamicQuantizeLinear → MatMulInteger → Cast → Mul.
 * - `contrib`: com.microsoft DynamicQuantizeMatMul, one node per MatMul.
 * ORT's CPU optimizer fuses the first into the second at load, so both run the same kernel.
 * Measured on medium vallex-ar, onnxruntime-node 1.30, one intra-op thread on a busy 2-core
 * EPYC (AVX-512 VNNI), median of 7 (noisy): 64-token prompt fp32 4.9 ms, integer-ops 2.0 ms,
 * contrib 2.2 ms; one step over a 256-position cache fp32 2.0 ms, both formats 1.3 ms
 * (scripts/bench/precision-models.ts). No difference beyond noise, so the default is the
 * standard-ONNX `integer-ops`, which other runtimes load too.
 */
import { cloneModel } from '../edit/clone.ts';
import { inferElemTypes } from '../edit/elem-types.ts';
import {
  NameAllocator,
  ensureOpset,
  floatAttr,
  initializerMap,
  intAttr,
  makeIntAttr,
  makeNode,
  opsetVersion,
} from '../edit/graph.ts';
import { removeStaleValueInfo, removeUnusedInitializers } from '../edit/prune.ts';
import { floatValues, makeTensor } from '../edit/tensor-data.ts';
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxTensorValues } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { PrecisionError } from './errors.ts';
import { quantizeWeights, transpose2d } from './int8.ts';
import { carriesWeights, finishReport, nodeLabel, type Skip } from './report.ts';
import type { DynamicQuantizeOptions, PrecisionResult, QuantizationReport } from './types.ts';

/** A MatMul/Gemm that dynamic quantization rewrites. */
interface DynamicTarget {
  node: OnnxNode;
  weight: OnnxTensor;
  /** Gemm's transB: the weight is stored [N, K] and is transposed before quantizing. */
  transposed: boolean;
  /** Gemm's alpha, folded into the weight scale. */
  alpha: number;
  /** Gemm's C, scaled by beta when it is constant. */
  bias?: { name: string; constant?: OnnxTensor; beta: number };
}

function planGemm(node: OnnxNode, weight: OnnxTensor, inits: ReadonlyMap<string, OnnxTensor>): DynamicTarget | string {
  if (intAttr(node, 'transA', 0) !== 0) return 'Gemm with transA=1';
  const beta = floatAttr(node, 'beta', 1);
  const c = node.inputs[2] ?? '';
  const constant = inits.get(c);
  if (c !== '' && !constant && beta !== 1) return 'Gemm with a non-constant C and beta ≠ 1';
  if (constant && constant.dataType !== ONNX_DTYPE.float32) return 'Gemm with a non-float32 C';
  return {
    node,
    weight,
    transposed: intAttr(node, 'transB', 0) !== 0,
    alpha: floatAttr(node, 'alpha', 1),
    bias: c === '' ? undefined : { name: c, constant, beta },
  };
}

function plan(
  node: OnnxNode,
  inits: ReadonlyMap<string, OnnxTensor>,
  types: ReadonlyMap<string, number>,
): DynamicTarget | string {
  const xType = types.get(node.inputs[0]);
  if (xType !== undefined && xType !== ONNX_DTYPE.float32) return `input is not float32 (TensorProto type ${xType})`;
  const weight = inits.get(node.inputs[1] ?? '');
  if (!weight || weight.dataType !== ONNX_DTYPE.float32 || weight.dims.length !== 2)
    return 'second input is not a float32 initializer of rank 2 (an activation product stays float32)';
  if (inits.has(node.inputs[0])) return 'first input is a constant';
  if (node.opType === 'Gemm') return planGemm(node, weight, inits);
  return { node, weight, transposed: false, alpha: 1 };
}

/** Quantizes MatMul/Gemm weights to int8 with run-time uint8 activations; see the file comment. */
export function quantizeDynamic(
  model: OnnxModel,
  options: DynamicQuantizeOptions = {},
): PrecisionResult<QuantizationReport> {
  const out = cloneModel(model);
  const g = out.graph;
  const inits = initializerMap(g);
  const types = inferElemTypes(g);
  const exclude = new Set(options.excludeNodes ?? []);
  const targets: DynamicTarget[] = [];
  const skipped: Skip[] = [];
  for (const node of g.nodes) {
    const candidate = node.domain === '' && (node.opType === 'MatMul' || node.opType === 'Gemm');
    if (!candidate) {
      if (carriesWeights(node, inits))
        skipped.push({ node, reason: `${node.opType} is not handled by dynamic quantization (static QDQ handles it)` });
      continue;
    }
    const t = exclude.has(nodeLabel(node)) ? 'excluded by options' : plan(node, inits, types);
    if (typeof t === 'string') skipped.push({ node, reason: t });
    else targets.push(t);
  }
  const report = finishReport({
    graph: g,
    quantized: targets.map((t) => t.node),
    skipped,
    method: 'dynamic INT8 quantization',
    handles: 'MatMul and Gemm whose second input is a float32 constant matrix',
    options,
  });
  const opset = opsetVersion(out, '') ?? 0;
  // DynamicQuantizeLinear arrived in opset 11; older models get the contrib op, which has no opset.
  const format = options.format ?? (opset >= 11 ? 'integer-ops' : 'contrib');
  if (format === 'integer-ops' && opset < 11)
    throw new PrecisionError(
      `dynamic INT8 quantization: format "integer-ops" needs opset ≥ 11 (DynamicQuantizeLinear), the model imports ${opset}; use format "contrib"`,
    );
  const rewrite = new DynamicRewriter(inits, new NameAllocator(g), options);
  const replaced = new Map(targets.map((t) => [t.node, t]));
  const nodes: OnnxNode[] = [];
  for (const node of g.nodes) {
    const t = replaced.get(node);
    if (!t) nodes.push(node);
    else nodes.push(...(format === 'contrib' ? rewrite.contrib(t) : rewrite.integerOps(t)));
  }
  g.nodes = nodes;
  g.initializers.push(...rewrite.newInitializers);
  if (format === 'contrib') ensureOpset(out, 'com.microsoft', 1);
  removeUnusedInitializers(
    g,
    targets.map((t) => t.weight.name),
  );
  removeStaleValueInfo(g);
  return { model: out, report };
}

/** Builds the replacement nodes and the int8 initializers they read. */
class DynamicRewriter {
  readonly newInitializers: OnnxTensor[] = [];
  private readonly weights = new Map<string, { values: string; scales: Float32Array; zeroPoints: string }>();
  private readonly quantizedInputs = new Map<string, string[]>();

  constructor(
    readonly inits: ReadonlyMap<string, OnnxTensor>,
    readonly names: NameAllocator,
    readonly options: DynamicQuantizeOptions,
  ) {}

  private add(name: string, dataType: number, dims: readonly number[], values: OnnxTensorValues): string {
    const fresh = this.names.fresh(name);
    this.newInitializers.push(makeTensor(fresh, dataType, dims, values));
    return fresh;
  }

  /** int8 weight [K, N] and its zero point, shared by every node that reads the same matrix the same way. */
  private weight(t: DynamicTarget): { values: string; scales: Float32Array; zeroPoints: string } {
    const key = `${t.weight.name}|${t.transposed}`;
    const known = this.weights.get(key);
    if (known) return known;
    let w = floatValues(t.weight);
    let [k, n] = t.weight.dims;
    if (t.transposed) {
      w = transpose2d(w, k, n);
      [k, n] = [n, k];
    }
    const q = quantizeWeights(w, [k, n], {
      axis: this.options.perChannel ? 1 : undefined,
      reduceRange: this.options.reduceRange,
    });
    const zpDims = this.options.perChannel ? [n] : [];
    const made = {
      values: this.add(`${t.weight.name}_quantized`, ONNX_DTYPE.int8, [k, n], q.values),
      scales: q.scales,
      zeroPoints: this.add(`${t.weight.name}_zero_point`, ONNX_DTYPE.int8, zpDims, q.zeroPoints),
    };
    this.weights.set(key, made);
    return made;
  }

  private scaleInitializer(t: DynamicTarget, scales: Float32Array): string {
    const dims = this.options.perChannel ? [scales.length] : [];
    const values = t.alpha === 1 ? scales : scales.map((s) => s * t.alpha);
    return this.add(`${t.weight.name}_scale`, ONNX_DTYPE.float32, dims, values);
  }

  /** beta·C as a constant, or C itself. */
  private biasInput(t: DynamicTarget): string | undefined {
    const b = t.bias;
    if (!b) return undefined;
    if (!b.constant || b.beta === 1) return b.name;
    const scaled = floatValues(b.constant).map((v) => v * b.beta);
    return this.add(`${b.name}_beta`, ONNX_DTYPE.float32, b.constant.dims, scaled);
  }

  integerOps(t: DynamicTarget): OnnxNode[] {
    const nodes: OnnxNode[] = [];
    const base = nodeLabel(t.node);
    const fresh = (suffix: string) => this.names.fresh(`${base}_${suffix}`);
    const x = t.node.inputs[0];
    let xq = this.quantizedInputs.get(x);
    if (!xq) {
      xq = [`${x}_quantized`, `${x}_scale`, `${x}_zero_point`].map((n) => this.names.fresh(n));
      nodes.push(
        makeNode({
          opType: 'DynamicQuantizeLinear',
          name: this.names.fresh(`${x}_QuantizeLinear`),
          inputs: [x],
          outputs: xq,
        }),
      );
      this.quantizedInputs.set(x, xq);
    }
    const w = this.weight(t);
    const wScale = this.scaleInitializer(t, w.scales);
    const [y] = t.node.outputs;
    const bias = this.biasInput(t);
    const product = fresh('output_quantized');
    const asFloat = fresh('output_quantized_cast_output');
    const scale = fresh('scales_mul_output');
    const scaled = bias ? fresh('output_scaled') : y;
    nodes.push(
      makeNode({
        opType: 'MatMulInteger',
        name: fresh('quant'),
        inputs: [xq[0], w.values, xq[2], w.zeroPoints],
        outputs: [product],
      }),
      makeNode({
        opType: 'Cast',
        name: fresh('output_quantized_cast'),
        inputs: [product],
        outputs: [asFloat],
        attributes: [makeIntAttr('to', ONNX_DTYPE.float32)],
      }),
      makeNode({ opType: 'Mul', name: fresh('scales_mul'), inputs: [xq[1], wScale], outputs: [scale] }),
      makeNode({ opType: 'Mul', name: fresh('output_scale_mul'), inputs: [asFloat, scale], outputs: [scaled] }),
    );
    if (bias) nodes.push(makeNode({ opType: 'Add', name: fresh('bias_add'), inputs: [scaled, bias], outputs: [y] }));
    return nodes;
  }

  contrib(t: DynamicTarget): OnnxNode[] {
    const base = nodeLabel(t.node);
    const w = this.weight(t);
    const wScale = this.scaleInitializer(t, w.scales);
    const [y] = t.node.outputs;
    const bias = this.biasInput(t);
    const n = t.transposed ? t.weight.dims[0] : t.weight.dims[1];
    // The contrib op's bias must be a 1-D [N] constant; any other C is added after it.
    const biasTensor = bias ? (this.inits.get(bias) ?? this.newInitializers.find((x) => x.name === bias)) : undefined;
    const fused = biasTensor !== undefined && biasTensor.dims.length === 1 && biasTensor.dims[0] === n;
    const mm = bias && !fused ? this.names.fresh(`${base}_output_scaled`) : y;
    const inputs = [t.node.inputs[0], w.values, wScale, w.zeroPoints, ...(fused ? [bias!] : [])];
    const nodes = [
      makeNode({
        opType: 'DynamicQuantizeMatMul',
        domain: 'com.microsoft',
        name: this.names.fresh(`${base}_quant`),
        inputs,
        outputs: [mm],
      }),
    ];
    if (bias && !fused)
      nodes.push(
        makeNode({ opType: 'Add', name: this.names.fresh(`${base}_bias_add`), inputs: [mm, bias], outputs: [y] }),
      );
    return nodes;
  }
}
