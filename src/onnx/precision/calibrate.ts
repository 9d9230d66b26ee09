/**
 * Calibration plumbing for static quantization: which tensors need ranges, and a copy of the
 * model that exposes them as outputs, so a caller can run it on sample inputs and collect
 * ranges (see ranges.ts).
 */
import { cloneModel } from '../edit/clone.ts';
import { inferElemTypes } from '../edit/elem-types.ts';
import { makeTensorValueInfo } from '../edit/graph.ts';
import type { OnnxModel } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';
import { PrecisionError } from './errors.ts';
import { plannedActivations, planStatic } from './static-plan.ts';
import type { StaticQuantizeOptions } from './types.ts';

/** Float tensors `quantizeStatic(model, ranges, options)` needs ranges for, in graph order. */
export function activationTensorsToCalibrate(model: OnnxModel, options: StaticQuantizeOptions = {}): string[] {
  return plannedActivations(planStatic(model.graph, options));
}

/**
 * A copy of the model with `names` added as graph outputs (those already outputs are left as
 * they are). Each gets its inferred element type and no shape.
 */
export function addOutputs(model: OnnxModel, names: readonly string[]): OnnxModel {
  const out = cloneModel(model);
  const g = out.graph;
  const types = inferElemTypes(g);
  const existing = new Set(g.outputs.map((v) => v.name));
  const known = new Set<string>([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name)]);
  for (const n of g.nodes) for (const o of n.outputs) known.add(o);
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new PrecisionError(
      `addOutputs: ${unknown.length} name(s) are no tensor of the graph: ${unknown.slice(0, 5).join(', ')}`,
    );
  for (const name of names) {
    if (existing.has(name)) continue;
    existing.add(name);
    g.outputs.push(makeTensorValueInfo(name, types.get(name) ?? ONNX_DTYPE.float32));
  }
  return out;
}
