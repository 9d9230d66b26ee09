/**
 * Which nodes FP16 conversion computes in float16 and which it keeps in float32, and which
 * input slots of a float16 node must stay float32 whatever the node computes in.
 */
import { hasSubgraph } from '../edit/graph.ts';
import type { OnnxNode } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { nodeLabel } from './report.ts';
import type { Fp16Options, SkippedNode } from './types.ts';

/**
 * Kept in float32 by default. onnxruntime-node 1.30's CPU provider loads and runs every op of
 * the reference models and both pretrained ones in float16 (where it has no float16 kernel, its
 * InsertCastTransformer computes the op in float32 between Casts it adds at load; Resize is one
 * such op, and converting it measured the same outputs as blocking it), so the list holds ops
 * that lose range or meaning in float16, not ops that fail to load:
 * - Range, CumSum: float16 counts and running sums stop being exact past 2048.
 * - RandomNormal/Uniform(Like), Multinomial, EyeLike: generators driven by a dtype attribute.
 * - TopK, NonMaxSuppression, RoiAlign: index and box maths where float16 ties and rounding
 *   change which elements are picked.
 * - QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, ConvInteger: their
 *   float32 scales are part of an INT8 model's contract.
 */
export const FP16_DEFAULT_BLOCK_OPS: readonly string[] = [
  'Range',
  'CumSum',
  'RandomNormal',
  'RandomUniform',
  'RandomNormalLike',
  'RandomUniformLike',
  'Multinomial',
  'EyeLike',
  'TopK',
  'NonMaxSuppression',
  'RoiAlign',
  'QuantizeLinear',
  'DequantizeLinear',
  'DynamicQuantizeLinear',
  'MatMulInteger',
  'ConvInteger',
];

/** Input slots that stay float32 on a float16 node (the op's schema types them float32 only). */
const FLOAT32_INPUTS: Readonly<Record<string, readonly number[]>> = {
  // roi may be float16, but keeping it float32 keeps box coordinates exact; scales must be float32.
  Resize: [1, 2],
  Upsample: [1],
};

/** Output slots a float16 node still writes in float32. */
const FLOAT32_OUTPUTS: Readonly<Record<string, readonly number[]>> = {
  // Mean and InvStdDev are of type U, float32 under the default stash_type.
  LayerNormalization: [1, 2],
};

export const keepsFloat32Input = (node: OnnxNode, index: number): boolean =>
  FLOAT32_INPUTS[node.opType]?.includes(index) ?? false;

export const keepsFloat32Output = (node: OnnxNode, index: number): boolean =>
  FLOAT32_OUTPUTS[node.opType]?.includes(index) ?? false;

export interface Fp16Plan {
  converted: Set<OnnxNode>;
  blocked: SkippedNode[];
}

/** Splits nodes that touch float32 tensors into converted and blocked ones. */
export function planFp16(nodes: readonly OnnxNode[], types: ReadonlyMap<string, number>, o: Fp16Options): Fp16Plan {
  const blockOps = new Set(o.blockOps ?? FP16_DEFAULT_BLOCK_OPS);
  const blockNodes = new Set(o.blockNodes ?? []);
  const plan: Fp16Plan = { converted: new Set(), blocked: [] };
  const isFloat = (name: string) => types.get(name) === ONNX_DTYPE.float32;
  for (const node of nodes) {
    const floats = node.inputs.some(isFloat) || node.outputs.some(isFloat) || constantIsFloat(node);
    if (!floats) continue;
    const block = (reason: string) => plan.blocked.push({ node: nodeLabel(node), op: node.opType, reason });
    if (node.domain !== '' && node.domain !== 'ai.onnx') block(`domain ${node.domain}`);
    else if (hasSubgraph(node)) block('has subgraphs (kept float32 inside)');
    else if (blockNodes.has(node.name)) block('in blockNodes');
    else if (blockOps.has(node.opType)) block('in blockOps');
    else plan.converted.add(node);
  }
  return plan;
}

function constantIsFloat(node: OnnxNode): boolean {
  if (node.opType !== 'Constant' && node.opType !== 'ConstantOfShape') return false;
  return node.attributes.some(
    (a) => a.t?.dataType === ONNX_DTYPE.float32 || a.name === 'value_float' || a.name === 'value_floats',
  );
}
