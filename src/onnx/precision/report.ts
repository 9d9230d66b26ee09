/**
 * What a quantization did, and the refusal rule: a model where the quantizer handles nothing,
 * or leaves most weights of its compute ops in float32, is an error unless the caller accepts a
 * partial result — the file would be called INT8 while computing mostly in float32.
 */
import { hasSubgraph, initializerMap } from '../edit/graph.ts';
import { elementCount } from '../edit/tensor-data.ts';
import type { OnnxGraph, OnnxNode, OnnxTensor } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { PrecisionError } from './errors.ts';
import type { CommonQuantizeOptions, QuantizationReport, SkippedNode } from './types.ts';

/** Ops whose float weights make up a model's compute: what "mostly quantized" is measured on. */
const WEIGHT_COMPUTE_OPS: ReadonlySet<string> = new Set([
  'Conv',
  'ConvTranspose',
  'MatMul',
  'Gemm',
  'LSTM',
  'GRU',
  'RNN',
  'Einsum',
  'Attention',
]);

export const nodeLabel = (n: OnnxNode): string => n.name || n.outputs[0] || n.opType;

/** Elements of the float32 initializers of rank ≥ 2 a node reads (its weight matrices and kernels). */
function weightElements(node: OnnxNode, inits: ReadonlyMap<string, OnnxTensor>): number {
  let n = 0;
  for (const name of node.inputs) {
    const t = inits.get(name);
    if (t && t.dataType === ONNX_DTYPE.float32 && t.dims.length >= 2) n += elementCount(t.dims);
  }
  return n;
}

export const carriesWeights = (node: OnnxNode, inits: ReadonlyMap<string, OnnxTensor>): boolean =>
  WEIGHT_COMPUTE_OPS.has(node.opType) && weightElements(node, inits) > 0;

/** `Conv ×26, ConvTranspose ×4`: how often each op occurs, in first-seen order, or most frequent first. */
export function opCounts(ops: Iterable<string>, mostFirst = false): string {
  const count = new Map<string, number>();
  for (const op of ops) count.set(op, (count.get(op) ?? 0) + 1);
  const pairs = [...count];
  if (mostFirst) pairs.sort((a, b) => b[1] - a[1]);
  return pairs.map(([op, k]) => `${op} ×${k}`).join(', ');
}

const opCensus = (graph: OnnxGraph): string =>
  opCounts(
    graph.nodes.map((n) => n.opType),
    true,
  );

/** A node left in float32 (the report's SkippedNode, before names are taken). */
export interface Skip {
  node: OnnxNode;
  reason: string;
}

function describeSkips(skipped: readonly SkippedNode[]): string {
  const shown = skipped.slice(0, 3).map((s) => `${s.node} (${s.op}: ${s.reason})`);
  return `${skipped.length}: ${shown.join('; ')}${skipped.length > 3 ? `; … ${skipped.length - 3} more` : ''}`;
}

export interface ReportInput {
  /** The graph as it was before quantization. */
  graph: OnnxGraph;
  quantized: readonly OnnxNode[];
  skipped: readonly Skip[];
  /** e.g. "dynamic INT8 quantization". */
  method: string;
  /** e.g. "MatMul or Gemm with float32 constant weights". */
  handles: string;
  options: CommonQuantizeOptions;
}

/** The report, or a PrecisionError when nothing (or too little) was quantized. */
export function finishReport(r: ReportInput): QuantizationReport {
  const skipped: SkippedNode[] = r.skipped.map((s) => ({
    node: nodeLabel(s.node),
    op: s.node.opType,
    reason: s.reason,
  }));
  if (r.quantized.length === 0)
    throw new PrecisionError(
      `${r.method}: no node to quantize — it handles ${r.handles}; the model has ${opCensus(r.graph) || 'no nodes'}${
        skipped.length ? `; skipped ${describeSkips(skipped)}` : ''
      }${r.graph.nodes.some(hasSubgraph) ? '; the bodies of If/Loop/Scan nodes are not quantized' : ''}`,
    );
  const inits = initializerMap(r.graph);
  const quantizedWeights = r.quantized.reduce((s, n) => s + weightElements(n, inits), 0);
  const skippedWeights = r.skipped.reduce(
    (s, k) => s + (WEIGHT_COMPUTE_OPS.has(k.node.opType) ? weightElements(k.node, inits) : 0),
    0,
  );
  const total = quantizedWeights + skippedWeights;
  const share = total === 0 ? 1 : quantizedWeights / total;
  if (share < 0.5 && !r.options.allowPartial) {
    const heavy = [...new Set(r.skipped.filter((k) => carriesWeights(k.node, inits)).map((k) => k.node.opType))].join(
      ', ',
    );
    throw new PrecisionError(
      `${r.method}: only ${(share * 100).toFixed(1)} % of the compute weights would be INT8 (${quantizedWeights} of ${total} elements); the rest sit in ${heavy} nodes it leaves in float32 (skipped ${describeSkips(skipped)}). Pass allowPartial to accept this, or use a method that handles those ops`,
    );
  }
  return { quantized: r.quantized.map(nodeLabel), skipped, quantizedWeightShare: share };
}
