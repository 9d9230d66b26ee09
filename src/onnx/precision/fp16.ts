/**
 * FP16 conversion: float32 weights, constants and computation become float16; the graph's own
 * float32 inputs and outputs stay float32 (Casts at the edges), and blocked ops (fp16-plan.ts)
 * compute in float32 between Casts. Tensors a subgraph reads keep their float32 names, since
 * the subgraph's inside is not rewritten.
 */
import { cloneModel } from '../edit/clone.ts';
import { inferElemTypes } from '../edit/elem-types.ts';
import { toFloat16 } from '../edit/float16.ts';
import {
  initializerMap,
  makeIntAttr,
  makeNode,
  makeTensorAttr,
  NameAllocator,
  namesReadBySubgraphs,
} from '../edit/graph.ts';
import { floatValues, makeTensor } from '../edit/tensor-data.ts';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { keepsFloat32Input, keepsFloat32Output, planFp16 } from './fp16-plan.ts';
import { nodeLabel } from './report.ts';
import type { Fp16Options, Fp16Report, PrecisionResult } from './types.ts';

/** Largest finite float16: weights beyond it are clamped rather than turned into ±Inf. */
const FLOAT16_MAX = 65504;

function toHalfTensor(t: OnnxTensor): OnnxTensor {
  const v = floatValues(t).map((x) => Math.max(-FLOAT16_MAX, Math.min(FLOAT16_MAX, x)));
  return { ...makeTensor(t.name, ONNX_DTYPE.float16, t.dims, toFloat16(v)), rest: t.rest };
}

/** A converted Constant/ConstantOfShape/Cast node's attributes, made float16. */
function convertAttributes(node: OnnxNode): void {
  if (node.opType === 'Cast' && node.attributes.some((a) => a.name === 'to' && a.i === BigInt(ONNX_DTYPE.float32)))
    node.attributes = node.attributes.map((a) => (a.name === 'to' ? makeIntAttr('to', ONNX_DTYPE.float16) : a));
  if (node.opType === 'ConstantOfShape' && !node.attributes.some((a) => a.name === 'value'))
    node.attributes.push(makeTensorAttr('value', makeTensor('', ONNX_DTYPE.float16, [1], new Uint16Array(1))));
  node.attributes = node.attributes.map((a) => {
    if (a.t?.dataType === ONNX_DTYPE.float32) return { ...a, t: toHalfTensor(a.t) };
    if (node.opType !== 'Constant') return a;
    if (a.name === 'value_float' && a.f !== undefined)
      return makeTensorAttr('value', makeTensor('', ONNX_DTYPE.float16, [], toFloat16(Float32Array.of(a.f))));
    if (a.name === 'value_floats' && a.floats)
      return makeTensorAttr(
        'value',
        makeTensor('', ONNX_DTYPE.float16, [a.floats.length], toFloat16(Float32Array.from(a.floats))),
      );
    return a;
  });
}

/** Converts the model to float16 compute; see the file comment. */
export function convertFp16(model: OnnxModel, options: Fp16Options = {}): PrecisionResult<Fp16Report> {
  const out = cloneModel(model);
  const g = out.graph;
  const types = inferElemTypes(g);
  const plan = planFp16(g.nodes, types, options);
  const names = new NameAllocator(g);
  const isFloat = (name: string) => types.get(name) === ONNX_DTYPE.float32;
  const pinned = new Set([...namesReadBySubgraphs(g), ...g.outputs.map((v) => v.name)]);

  // Which float32 tensors become float16 where they are made ("home" precision).
  const half = new Set<string>();
  for (const node of plan.converted)
    node.outputs.forEach((o, i) => {
      if (isFloat(o) && !keepsFloat32Output(node, i)) half.add(o);
    });
  const wantsHalf = new Set<string>();
  for (const node of plan.converted)
    node.inputs.forEach((name, i) => {
      if (isFloat(name) && !keepsFloat32Input(node, i)) wantsHalf.add(name);
    });
  const inits = initializerMap(g);
  for (const name of wantsHalf) if (inits.has(name) && !pinned.has(name)) half.add(name);

  const casts = new CastPlanner(g, names, half, pinned);
  for (const node of g.nodes) {
    const converted = plan.converted.has(node);
    node.inputs = node.inputs.map((name, i) =>
      isFloat(name) ? casts.read(name, converted && !keepsFloat32Input(node, i)) : name,
    );
    if (converted) convertAttributes(node);
  }
  casts.renamePinnedOutputs();
  g.initializers = g.initializers.map((t) => (half.has(t.name) ? toHalfTensor(t) : t));
  for (const v of [...g.inputs, ...g.valueInfo, ...g.outputs])
    if (half.has(v.name) && !pinned.has(v.name) && v.type?.tensor) v.type.tensor.elemType = ONNX_DTYPE.float16;
  g.nodes = casts.placed(g.nodes);
  return {
    model: out,
    report: {
      converted: [...plan.converted].map(nodeLabel),
      blocked: plan.blocked,
      castsAdded: casts.count,
    },
  };
}

/** The Cast nodes at float32/float16 boundaries: one per tensor and direction, after the tensor's producer. */
class CastPlanner {
  private readonly made = new Map<string, string>();
  private readonly after = new Map<string, OnnxNode[]>();
  /** Pinned float16 tensors: their producer writes this name, a Cast writes the pinned one. */
  private readonly halfNameOf = new Map<string, string>();
  count = 0;

  constructor(
    private readonly g: OnnxGraph,
    private readonly names: NameAllocator,
    private readonly half: ReadonlySet<string>,
    private readonly pinned: ReadonlySet<string>,
  ) {
    for (const name of half)
      if (pinned.has(name)) {
        this.halfNameOf.set(name, names.fresh(`${name}_fp16`));
        this.cast(this.halfNameOf.get(name)!, name, ONNX_DTYPE.float32, name);
      }
  }

  private cast(input: string, output: string, to: number, anchor: string): void {
    const node = makeNode({
      opType: 'Cast',
      name: this.names.fresh(`${output}_Cast`),
      inputs: [input],
      outputs: [output],
      attributes: [makeIntAttr('to', to)],
    });
    this.after.set(anchor, [...(this.after.get(anchor) ?? []), node]);
    this.count++;
  }

  /** The name to read float tensor `name` as float16 (`wantHalf`) or float32. */
  read(name: string, wantHalf: boolean): string {
    const isHalf = this.half.has(name);
    if (isHalf === wantHalf) return this.halfNameOf.get(name) ?? name;
    if (isHalf && this.pinned.has(name)) return name;
    const key = `${name}|${wantHalf}`;
    let out = this.made.get(key);
    if (!out) {
      out = this.names.fresh(`${name}_${wantHalf ? 'fp16' : 'fp32'}`);
      this.cast(this.halfNameOf.get(name) ?? name, out, wantHalf ? ONNX_DTYPE.float16 : ONNX_DTYPE.float32, name);
      this.made.set(key, out);
    }
    return out;
  }

  renamePinnedOutputs(): void {
    for (const node of this.g.nodes) node.outputs = node.outputs.map((o) => this.halfNameOf.get(o) ?? o);
  }

  /** Nodes with each Cast right after the producer of what it reads (graph inputs, initializers: first). */
  placed(nodes: readonly OnnxNode[]): OnnxNode[] {
    const produced = new Set<string>();
    for (const n of nodes) for (const o of n.outputs) produced.add(o);
    const anchorOf = (a: string) => this.halfNameOf.get(a) ?? a;
    const originalOf = new Map([...this.halfNameOf].map(([original, h]) => [h, original]));
    const first: OnnxNode[] = [];
    for (const [anchor, casts] of this.after) if (!produced.has(anchorOf(anchor))) first.push(...casts);
    return [
      ...first,
      ...nodes.flatMap((n) => [
        n,
        ...n.outputs.flatMap((o) => this.after.get(o) ?? this.after.get(originalOf.get(o) ?? o) ?? []),
      ]),
    ];
  }
}
