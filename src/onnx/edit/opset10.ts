/**
 * Opset 9 → 10 for the ops whose form changed: Slice and TopK take as inputs what they took as
 * attributes. Needed by static quantization of opset-9 models (the Ultra-Light face detector):
 * ORT fuses QDQ groups into QLinearConv, an opset-10 op, in the model's own opset.
 */
import { ONNX_DTYPE } from '../schema.ts';
import { findAttr, NameAllocator, opsetVersion } from './graph.ts';
import { ModelProtoError } from './errors.ts';
import { makeTensor } from './tensor-data.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './types.ts';

/** Ops in opset ≤ 9 with no opset-10 form reel rewrites. */
const NO_OPSET10_FORM = new Set(['Upsample']);

function moveIntsToInputs(node: OnnxNode, attrs: readonly string[], names: NameAllocator, out: OnnxTensor[]): void {
  const base = node.name || node.outputs[0];
  for (const a of attrs) {
    const values = findAttr(node, a)?.ints;
    if (!values && a === 'axes') continue;
    const t = makeTensor(
      names.fresh(`${base}_${a}`),
      ONNX_DTYPE.int64,
      [values?.length ?? 0],
      BigInt64Array.from(values ?? []),
    );
    out.push(t);
    node.inputs.push(t.name);
  }
  node.attributes = node.attributes.filter((x) => !attrs.includes(x.name));
}

/** The model itself when its default opset is ≥ 10; otherwise an upgraded copy (the input is changed in place). */
export function upgradeToOpset10(model: OnnxModel): OnnxModel {
  const version = opsetVersion(model, '') ?? 0;
  if (version >= 10) return model;
  const g = model.graph;
  const blocked = g.nodes.filter((n) => n.domain === '' && NO_OPSET10_FORM.has(n.opType));
  if (blocked.length > 0)
    throw new ModelProtoError(
      `opset ${version} → 10: ${blocked.map((n) => `${n.opType} "${n.name}"`).join(', ')} has no opset-10 form here; convert the model to opset ≥ 13 first`,
    );
  const names = new NameAllocator(g);
  const constants: OnnxTensor[] = [];
  for (const node of g.nodes) {
    if (node.domain !== '') continue;
    if (node.opType === 'Slice') moveIntsToInputs(node, ['starts', 'ends', 'axes'], names, constants);
    if (node.opType === 'TopK') moveIntsToInputs(node, ['k'], names, constants);
  }
  g.initializers.push(...constants);
  for (const o of model.opsetImports) if (o.domain === '' || o.domain === 'ai.onnx') o.version = 10;
  return model;
}
