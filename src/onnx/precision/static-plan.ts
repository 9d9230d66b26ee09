/**
 * Which nodes static QDQ quantization rewrites, which tensors it quantizes, and so which
 * tensors calibration must observe. Shared by `quantizeStatic` and `activationTensorsToCalibrate`
 * so the two always agree.
 */
import { inferElemTypes } from '../edit/elem-types.ts';
import { consumersOf, floatAttr, initializerMap, intAttr, namesReadBySubgraphs } from '../edit/graph.ts';
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { carriesWeights, nodeLabel, type Skip } from './report.ts';
import type { StaticOpType, StaticQuantizeOptions } from './types.ts';

const STATIC_OP_TYPES: readonly StaticOpType[] = ['Conv', 'ConvTranspose', 'MatMul', 'Gemm'];

export interface StaticTarget {
  node: OnnxNode;
  /** The activation input (always input 0), quantized to uint8. */
  activation: string;
  weight: { index: number; tensor: OnnxTensor; axis?: number };
  /** A constant bias, quantized to int32 at scale activation·weight. */
  bias?: { index: number; tensor: OnnxTensor };
  /** The tensor whose range quantizes the output: the node's own, or that of the Relu folded into it. */
  output: string;
  foldedRelu?: OnnxNode;
}

export interface StaticPlan {
  targets: StaticTarget[];
  skipped: Skip[];
}

const isFloat = (t: OnnxTensor | undefined): t is OnnxTensor => t?.dataType === ONNX_DTYPE.float32;

function weightAxis(node: OnnxNode, o: StaticQuantizeOptions): number | undefined {
  const conv = o.perChannelConv ?? true;
  const matmul = o.perChannelMatMul ?? false;
  switch (node.opType) {
    case 'Conv':
      return conv ? 0 : undefined;
    case 'ConvTranspose':
      // Weights are [C_in, C_out / group, …]: axis 1 is the output channel only without groups.
      return conv && intAttr(node, 'group', 1) === 1 ? 1 : undefined;
    case 'Gemm':
      return matmul ? (intAttr(node, 'transB', 0) ? 0 : 1) : undefined;
    default:
      return matmul ? 1 : undefined;
  }
}

/** A reason to leave the node in float32, or the pieces to quantize. */
function targetOf(
  node: OnnxNode,
  inits: ReadonlyMap<string, OnnxTensor>,
  types: ReadonlyMap<string, number>,
  o: StaticQuantizeOptions,
): Omit<StaticTarget, 'output' | 'foldedRelu'> | string {
  const [x, w, b] = node.inputs;
  if (inits.has(x)) return 'first input is a constant';
  const xType = types.get(x);
  if (xType !== undefined && xType !== ONNX_DTYPE.float32) return `input is not float32 (TensorProto type ${xType})`;
  const weight = inits.get(w ?? '');
  if (!isFloat(weight))
    return node.opType === 'MatMul'
      ? 'second input is not a float32 initializer (an activation product stays float32)'
      : 'weight is not a float32 initializer';
  const matrix = node.opType === 'MatMul' || node.opType === 'Gemm';
  if (matrix && weight.dims.length !== 2) return `weight has rank ${weight.dims.length}, expected 2`;
  // '' marks an omitted bias, as does a missing input.
  if (node.opType === 'Gemm' && b && floatAttr(node, 'beta', 1) !== 1) return 'Gemm with C and beta ≠ 1';
  const bias = b ? inits.get(b) : undefined;
  if (b && (!isFloat(bias) || bias.dims.length !== 1)) return 'bias is not a 1-D float32 initializer';
  return {
    node,
    activation: x,
    weight: { index: 1, tensor: weight, axis: weightAxis(node, o) },
    bias: bias && { index: 2, tensor: bias },
  };
}

/** The Relu that alone reads `node`'s output, if it can absorb into the output's quantization. */
function foldableRelu(node: OnnxNode, graph: OnnxGraph, uses: ReturnType<typeof consumersOf>, pinned: Set<string>) {
  const [y] = node.outputs;
  const readers = uses.get(y) ?? [];
  if (readers.length !== 1 || pinned.has(y) || graph.outputs.some((v) => v.name === y)) return undefined;
  const r = readers[0].node;
  return r.opType === 'Relu' && r.domain === '' ? r : undefined;
}

export function planStatic(graph: OnnxGraph, o: StaticQuantizeOptions): StaticPlan {
  const inits = initializerMap(graph);
  const types = inferElemTypes(graph);
  const uses = consumersOf(graph);
  const pinned = namesReadBySubgraphs(graph);
  const ops = new Set<string>(o.opTypes ?? STATIC_OP_TYPES);
  const exclude = new Set(o.excludeNodes ?? []);
  const plan: StaticPlan = { targets: [], skipped: [] };
  for (const node of graph.nodes) {
    const candidate = node.domain === '' && ops.has(node.opType);
    if (!candidate) {
      if (carriesWeights(node, inits))
        plan.skipped.push({
          node,
          reason: STATIC_OP_TYPES.includes(node.opType as StaticOpType)
            ? `${node.opType} is not in opTypes`
            : `${node.opType} is not handled by static quantization`,
        });
      continue;
    }
    const t = exclude.has(nodeLabel(node)) ? 'excluded by options' : targetOf(node, inits, types, o);
    if (typeof t === 'string') {
      plan.skipped.push({ node, reason: t });
      continue;
    }
    const relu = (o.foldRelu ?? true) ? foldableRelu(node, graph, uses, pinned) : undefined;
    plan.targets.push({ ...t, output: relu ? relu.outputs[0] : node.outputs[0], foldedRelu: relu });
  }
  return plan;
}

/** Tensors static quantization needs ranges of, in graph order, each once. */
export function plannedActivations(plan: StaticPlan): string[] {
  const names = new Set<string>();
  for (const t of plan.targets) {
    names.add(t.activation);
    names.add(t.output);
  }
  return [...names];
}
