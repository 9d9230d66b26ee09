/**
 * Static INT8 quantization in the QDQ format: QuantizeLinear → DequantizeLinear pairs on the
 * activations around Conv, ConvTranspose, MatMul and Gemm (uint8, scale and zero point from
 * calibrated ranges) and DequantizeLinear on their int8 weights and int32 biases. The graph still
 * computes in float; ONNX Runtime's CPU provider recognises each DQ → op → Q group at load and
 * runs it as one integer kernel (QLinearConv, QLinearMatMul, QGemm). ConvTranspose, which it
 * has no int8 kernel for, is rewritten as a Conv first (conv-transpose.ts).
 */
import { cloneModel } from '../edit/clone.ts';
import { consumersOf, ensureOpset, NameAllocator, namesReadBySubgraphs, opsetVersion } from '../edit/graph.ts';
import { upgradeToOpset10 } from '../edit/opset10.ts';
import { removeStaleValueInfo, removeUnusedInitializers } from '../edit/prune.ts';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from '../edit/types.ts';
import { phaseConv, phaseConvSpec } from './conv-transpose.ts';
import { PrecisionError } from './errors.ts';
import { QdqWriter } from './qdq.ts';
import { finishReport } from './report.ts';
import { plannedActivations, planStatic, type StaticTarget } from './static-plan.ts';
import type {
  ActivationRanges,
  PrecisionResult,
  QuantizationReport,
  StaticQuantizeOptions,
  TensorRange,
} from './types.ts';

function checkRanges(names: readonly string[], ranges: ActivationRanges): void {
  const missing = names.filter((n) => !ranges.has(n));
  if (missing.length === 0) return;
  throw new PrecisionError(
    `static INT8 quantization: no calibrated range for ${missing.length} of ${names.length} tensors (${missing
      .slice(0, 5)
      .map((n) => `"${n}"`)
      .join(
        ', ',
      )}${missing.length > 5 ? ', …' : ''}): the ranges were measured on another model or export; measure them on this one (reel models quantize MODEL --calibrate PIPELINE.yaml --input …)`,
  );
}

/** A tensor to put a Q → DQ pair on, and the calibrated range that sets its scale. */
interface QuantizedTensor {
  name: string;
  range: TensorRange;
}

/** A target as it is rewritten: the node that ends up quantized and the tensor after it. */
interface Rewritten extends StaticTarget {
  quantizedOutput: string;
  /** Nodes that replace the original node (itself, or a phase Conv and its interleave). */
  replacement: OnnxNode[];
  /** A phase Conv's data movement, run on the uint8 values between its Q and DQ. */
  interleave?: { first: OnnxNode; last: OnnxNode };
}

/** Folds Relus and turns ConvTransposes into phase Convs; returns each target as rewritten. */
function rewriteTargets(
  g: OnnxGraph,
  targets: readonly StaticTarget[],
  names: NameAllocator,
  o: StaticQuantizeOptions,
  opset: number,
): Rewritten[] {
  const constants: OnnxTensor[] = [];
  const out = targets.map((t): Rewritten => {
    if (t.foldedRelu) t.node.outputs[0] = t.foldedRelu.outputs[0];
    const spec =
      t.node.opType === 'ConvTranspose' && (o.convTransposeAsConv ?? true)
        ? phaseConvSpec(t.node, t.weight.tensor, opset)
        : 'kept';
    if (typeof spec === 'string') return { ...t, quantizedOutput: t.node.outputs[0], replacement: [t.node] };
    const p = phaseConv(t.node, t.weight.tensor, t.bias?.tensor, spec, names, constants);
    return {
      ...t,
      node: p.conv,
      weight: { index: 1, tensor: p.weight, axis: (o.perChannelConv ?? true) ? 0 : undefined },
      bias: p.bias && { index: 2, tensor: p.bias },
      quantizedOutput: p.conv.outputs[0],
      replacement: [p.conv, ...p.after],
      interleave: p.after.length > 0 ? { first: p.after[0], last: p.after[p.after.length - 1] } : undefined,
    };
  });
  g.initializers.push(...constants);
  return out;
}

/** Quantizes the model with QDQ pairs from calibrated `ranges`; see the file comment. */
export function quantizeStatic(
  model: OnnxModel,
  ranges: ActivationRanges,
  options: StaticQuantizeOptions = {},
): PrecisionResult<QuantizationReport> {
  const out = cloneModel(model);
  const plan = planStatic(out.graph, options);
  const report = finishReport({
    graph: out.graph,
    quantized: plan.targets.map((t) => t.node),
    skipped: plan.skipped,
    method: 'static INT8 quantization',
    handles: 'Conv, ConvTranspose, MatMul and Gemm with float32 constant weights',
    options,
  });
  checkRanges(plannedActivations(plan), ranges);
  upgradeToOpset10(out);
  const g = out.graph;
  const opset = opsetVersion(out, '') ?? 0;
  // ONNX's QuantizeLinear has per-channel axes from opset 13 on; before that, ORT's own
  // com.microsoft Q/DQ ops (same semantics, fused the same way) keep the model's opset. Below
  // opset 10 it is raised to 10: ORT fuses QDQ groups into QLinearConv, an opset-10 op.
  const domain = opset >= 13 ? '' : 'com.microsoft';
  if (domain) ensureOpset(out, domain, 1);

  const names = new NameAllocator(g);
  const folded = new Set(plan.targets.flatMap((t) => (t.foldedRelu ? [t.foldedRelu] : [])));
  const targets = rewriteTargets(g, plan.targets, names, options, opset);
  const replaced = new Map(plan.targets.map((t, i) => [t.node, targets[i].replacement]));
  g.nodes = g.nodes.filter((n) => !folded.has(n)).flatMap((n) => replaced.get(n) ?? [n]);

  // A phase Conv's output is quantized before its interleave and dequantized after it, under
  // the ConvTranspose's own output name, which then needs no pair of its own.
  const interleaved = new Set(targets.flatMap((t) => (t.interleave ? [t.interleave.last.outputs[0]] : [])));
  const tensors = new Map<string, QuantizedTensor>();
  for (const t of targets) {
    if (!interleaved.has(t.activation))
      tensors.set(t.activation, { name: t.activation, range: ranges.get(t.activation)! });
    if (!t.interleave) tensors.set(t.quantizedOutput, { name: t.quantizedOutput, range: ranges.get(t.output)! });
  }
  const qdq = new QdqWriter(names, domain);
  insertActivationPairs(g, [...tensors.values()], qdq);
  const after = new Map<OnnxNode, OnnxNode[]>();
  for (const t of targets)
    if (t.interleave) quantizeAroundInterleave(t, t.interleave, qdq, names, ranges.get(t.output)!, after);
  const weightsBefore = new Map(targets.map((t) => [t.node, weightNodes(qdq, t, ranges)]));
  g.nodes = g.nodes.flatMap((n) => [...(weightsBefore.get(n) ?? []), n, ...(after.get(n) ?? [])]);
  g.initializers.push(...qdq.newInitializers);
  removeUnusedInitializers(
    g,
    plan.targets.flatMap((t) => [t.weight.tensor.name, ...(t.bias ? [t.bias.tensor.name] : [])]),
  );
  removeStaleValueInfo(g);
  return { model: out, report };
}

/** Q → DQ after each tensor's producer (graph inputs: first), every reader moved to the DQ output. */
function insertActivationPairs(g: OnnxGraph, tensors: readonly QuantizedTensor[], qdq: QdqWriter): void {
  const pinned = new Set([...namesReadBySubgraphs(g), ...g.outputs.map((v) => v.name)]);
  const producer = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) producer.set(o, n);
  const uses = consumersOf(g);
  const after = new Map<OnnxNode | undefined, OnnxNode[]>();
  for (const { name, range } of tensors) {
    const p = producer.get(name);
    const pair = qdq.activation(name, range, p && pinned.has(name) ? p : undefined);
    after.set(p, [...(after.get(p) ?? []), ...pair.nodes]);
    if (pair.output !== name) for (const u of uses.get(name) ?? []) u.node.inputs[u.index] = pair.output;
  }
  g.nodes = [...(after.get(undefined) ?? []), ...g.nodes.flatMap((n) => [n, ...(after.get(n) ?? [])])];
}

/** phase Conv → Q → interleave (uint8) → DQ → the ConvTranspose's output name; `after` gets the Q and DQ nodes. */
function quantizeAroundInterleave(
  t: Rewritten,
  chain: { first: OnnxNode; last: OnnxNode },
  qdq: QdqWriter,
  names: NameAllocator,
  range: TensorRange,
  after: Map<OnnxNode, OnnxNode[]>,
): void {
  const output = chain.last.outputs[0];
  const p = qdq.params(output, range);
  const q = qdq.quantize(t.quantizedOutput, t.quantizedOutput, p);
  chain.first.inputs[0] = q.output;
  chain.last.outputs[0] = names.fresh(`${output}_quantized_interleaved`);
  const dq = qdq.dequantizeActivation(output, chain.last.outputs[0], p, output);
  after.set(t.node, [q.node]);
  after.set(chain.last, dq.nodes);
}

/** DequantizeLinear of the int8 weight and int32 bias, wired into the node. */
function weightNodes(qdq: QdqWriter, t: StaticTarget, ranges: ActivationRanges): OnnxNode[] {
  const w = qdq.weight(t.weight.tensor, t.weight.axis);
  t.node.inputs[t.weight.index] = w.output;
  const nodes = [...w.nodes];
  if (t.bias) {
    const inputScale = qdq.activationScale(t.activation, ranges.get(t.activation)!);
    const b = qdq.bias(t.bias.tensor, inputScale, w.scales);
    t.node.inputs[t.bias.index] = b.output;
    nodes.push(...b.nodes);
  }
  return nodes;
}
