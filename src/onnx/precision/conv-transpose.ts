/**
 * ConvTranspose as a Conv: onnxruntime 1.30's CPU provider has no int8 ConvTranspose, so a QDQ
 * ConvTranspose runs dequantized in float (measured slower than plain float32 on wav2lip). The
 * polyphase form has an int8 kernel (QLinearConv) and no extra multiply-adds: a stride-s
 * transposed conv is s^d ordinary convs, one per output phase, stacked as channels and then
 * interleaved.
 *
 * With J = ⌈k/s⌉ taps per phase, phase r's kernel is w[r + j·s] (j = 0…J−1) flipped, run as a
 * "full" Conv (pads J−1 on both sides); output position q·s + r of the un-cropped result is
 * phase r's value q. The crop [pad_begin, end − (J·s − k + pad_end − output_padding)) is a
 * constant number of positions at each end, so dynamic lengths keep working.
 */
import {
  ATTR,
  findAttr,
  intAttr,
  intsAttr,
  makeIntAttr,
  makeIntsAttr,
  makeNode,
  type NameAllocator,
} from '../edit/graph.ts';
import { floatValues, makeTensor } from '../edit/tensor-data.ts';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from '../edit/types.ts';
import { ONNX_DTYPE } from '../schema.ts';

export interface PhaseConvSpec {
  kernel: number[];
  strides: number[];
  padsBegin: number[];
  /** Positions cut off the end of each spatial axis of the interleaved result. */
  cropEnd: number[];
  taps: number[];
}

/**
 * The polyphase layout of a ConvTranspose, or why it cannot be written as one Conv. A 2-D one
 * interleaves its phases with DepthToSpace's `mode`, which exists from opset 11.
 */
export function phaseConvSpec(node: OnnxNode, weight: OnnxTensor, opset = 11): PhaseConvSpec | string {
  const d = weight.dims.length - 2;
  const kernel = weight.dims.slice(2);
  const strides = intsAttr(node, 'strides') ?? kernel.map(() => 1);
  const pads = intsAttr(node, 'pads') ?? kernel.map(() => 0).concat(kernel.map(() => 0));
  const outPad = intsAttr(node, 'output_padding') ?? kernel.map(() => 0);
  const autoPad = findAttr(node, 'auto_pad')?.s;
  if (d < 1 || d > 2) return `${d}-D ConvTranspose`;
  if (intAttr(node, 'group', 1) !== 1) return 'grouped ConvTranspose';
  if ((intsAttr(node, 'dilations') ?? []).some((x) => x !== 1)) return 'dilated ConvTranspose';
  if (findAttr(node, 'output_shape')) return 'ConvTranspose with output_shape';
  if (autoPad && new TextDecoder().decode(autoPad) !== 'NOTSET') return 'ConvTranspose with auto_pad';
  if (d === 2 && strides[0] !== strides[1]) return 'unequal 2-D strides';
  if (d === 2 && strides[0] > 1 && opset < 11)
    return `2-D ConvTranspose in an opset-${opset} model (its interleave needs opset 11)`;
  const taps = kernel.map((k, i) => Math.ceil(k / strides[i]));
  const cropEnd = kernel.map((k, i) => taps[i] * strides[i] - k + pads[d + i] - outPad[i]);
  if (cropEnd.some((c) => c < 0)) return 'output_padding beyond the kernel';
  return { kernel, strides, padsBegin: pads.slice(0, d), cropEnd, taps };
}

/** Phase-stacked Conv weight [P·C_out, C_in, J…] from ConvTranspose weight [C_in, C_out, k…]. */
function phaseWeights(w: Float32Array, dims: readonly number[], s: PhaseConvSpec): Float32Array {
  const [cin, cout] = dims;
  const [k0, k1 = 1] = s.kernel;
  const [s0, s1 = 1] = s.strides;
  const [j0, j1 = 1] = s.taps;
  const out = new Float32Array(s0 * s1 * cout * cin * j0 * j1);
  for (let r0 = 0; r0 < s0; r0++)
    for (let r1 = 0; r1 < s1; r1++)
      for (let co = 0; co < cout; co++)
        for (let ci = 0; ci < cin; ci++)
          for (let m0 = 0; m0 < j0; m0++)
            for (let m1 = 0; m1 < j1; m1++) {
              const a = r0 + (j0 - 1 - m0) * s0;
              const b = r1 + (j1 - 1 - m1) * s1;
              if (a >= k0 || b >= k1) continue;
              const p = r0 * s1 + r1;
              out[(((p * cout + co) * cin + ci) * j0 + m0) * j1 + m1] = w[((ci * cout + co) * k0 + a) * k1 + b];
            }
  return out;
}

export interface PhaseConv {
  conv: OnnxNode;
  weight: OnnxTensor;
  bias?: OnnxTensor;
  /** Interleave and crop, from the Conv's output to the ConvTranspose's. */
  after: OnnxNode[];
}

/** The Conv and data-movement nodes that replace `node` (whose output name they keep). */
export function phaseConv(
  node: OnnxNode,
  weight: OnnxTensor,
  bias: OnnxTensor | undefined,
  s: PhaseConvSpec,
  names: NameAllocator,
  constants: OnnxTensor[],
): PhaseConv {
  const base = node.name || node.outputs[0];
  const [cin, cout] = weight.dims;
  const phases = s.strides.reduce((a, b) => a * b, 1);
  const d = s.kernel.length;
  const constant = (name: string, values: BigInt64Array) => {
    const t = makeTensor(names.fresh(name), ONNX_DTYPE.int64, [values.length], values);
    constants.push(t);
    return t.name;
  };
  const v = makeTensor(
    names.fresh(`${weight.name}_phases`),
    ONNX_DTYPE.float32,
    [phases * cout, cin, ...s.taps],
    phaseWeights(floatValues(weight), weight.dims, s),
  );
  const biasValues = bias && floatValues(bias);
  const b =
    bias &&
    biasValues &&
    makeTensor(
      names.fresh(`${bias.name}_phases`),
      ONNX_DTYPE.float32,
      [phases * cout],
      Float32Array.from({ length: phases * cout }, (_, i) => biasValues[i % cout]),
    );
  const stacked = names.fresh(`${node.outputs[0]}_phases`);
  const conv = makeNode({
    opType: 'Conv',
    name: names.fresh(`${base}_phases`),
    inputs: [node.inputs[0], v.name, ...(b ? [b.name] : [])],
    outputs: [stacked],
    attributes: [
      makeIntsAttr('kernel_shape', s.taps),
      makeIntsAttr('pads', [...s.taps.map((j) => j - 1), ...s.taps.map((j) => j - 1)]),
      makeIntsAttr(
        'strides',
        s.taps.map(() => 1),
      ),
    ],
  });
  const after: OnnxNode[] = [];
  let x = stacked;
  const step = (opType: string, inputs: string[], attributes: OnnxAttribute[] = []) => {
    const out = names.fresh(`${node.outputs[0]}_${opType.toLowerCase()}`);
    after.push(
      makeNode({ opType, name: names.fresh(`${base}_${opType}`), inputs: [x, ...inputs], outputs: [out], attributes }),
    );
    x = out;
  };
  if (phases > 1 && d === 2)
    step(
      'DepthToSpace',
      [],
      [
        makeIntAttr('blocksize', s.strides[0]),
        { name: 'mode', type: ATTR.string, s: new TextEncoder().encode('DCR'), rest: [] },
      ],
    );
  if (phases > 1 && d === 1) {
    step('Reshape', [constant(`${base}_phase_shape`, BigInt64Array.of(0n, BigInt(phases), BigInt(cout), -1n))]);
    step('Transpose', [], [makeIntsAttr('perm', [0, 2, 3, 1])]);
    step('Reshape', [constant(`${base}_interleaved_shape`, BigInt64Array.of(0n, BigInt(cout), -1n))]);
  }
  const axes = s.kernel.map((_, i) => 2 + i);
  // An end of 0 from the back is "to the end": INT64_MAX, as Slice reads it.
  const ends = s.cropEnd.map((c) => (c === 0 ? 2n ** 63n - 1n : BigInt(-c)));
  if (s.padsBegin.some((p) => p > 0) || s.cropEnd.some((c) => c > 0))
    step('Slice', [
      constant(`${base}_crop_starts`, BigInt64Array.from(s.padsBegin.map(BigInt))),
      constant(`${base}_crop_ends`, BigInt64Array.from(ends)),
      constant(`${base}_crop_axes`, BigInt64Array.from(axes.map(BigInt))),
    ]);
  const last = after[after.length - 1];
  if (last) last.outputs[0] = node.outputs[0];
  else conv.outputs[0] = node.outputs[0];
  return { conv, weight: v, bias: b, after };
}
