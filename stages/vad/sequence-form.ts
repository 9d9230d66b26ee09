/**
 * The derivation of Silero VAD v5's sequence form (see sequence-model.ts) from the model's graph.
 */
import * as ort from 'onnxruntime-node';
import { decodeGraph } from '../../src/onnx/edit/decode.ts';
import { encodeOnnxModel } from '../../src/onnx/edit/encode.ts';
import { floatValues, makeTensor } from '../../src/onnx/edit/tensor-data.ts';
import type {
  OnnxAttribute,
  OnnxGraph,
  OnnxModel,
  OnnxNode,
  OnnxTensor,
  OnnxValueInfo,
} from '../../src/onnx/edit/types.ts';
import { FieldWriter } from '../../src/onnx/edit/wire.ts';

const FLOAT = 1;
const INT64 = 7;
const GRAPH_ATTRIBUTE = 6; // AttributeProto.g

/** Every node of `graph` and of the subgraphs inside it (If branches), flattened. */
function allNodes(graph: OnnxGraph): OnnxNode[] {
  const out: OnnxNode[] = [];
  for (const node of graph.nodes) {
    out.push(node);
    for (const a of node.attributes)
      for (const f of a.rest) if (f.field === GRAPH_ATTRIBUTE && f.bytes) out.push(...allNodes(decodeGraph(f.bytes)));
  }
  return out;
}

/** The then/else branch of an If node. */
function branch(node: OnnxNode, name: 'then_branch' | 'else_branch'): OnnxGraph | undefined {
  const bytes = node.attributes.find((a) => a.name === name)?.rest.find((f) => f.field === GRAPH_ATTRIBUTE)?.bytes;
  return bytes ? decodeGraph(bytes) : undefined;
}

const attr = (name: string, value: { i?: bigint; ints?: bigint[] }): OnnxAttribute => ({
  name,
  type: value.i !== undefined ? 2 : 7,
  ...value,
  rest: [],
});

let nodeCount = 0;
const node = (opType: string, inputs: string[], outputs: string[], attributes: OnnxAttribute[] = []): OnnxNode => ({
  opType,
  domain: '',
  name: `seq/${opType}_${nodeCount++}`,
  inputs,
  outputs,
  attributes,
  rest: [],
});

const int64s = (name: string, values: number[]): OnnxNode => ({
  ...node('Constant', [], [name]),
  attributes: [
    {
      name: 'value',
      type: 4,
      t: makeTensor(name, INT64, [values.length], BigInt64Array.from(values.map(BigInt))),
      rest: [],
    },
  ],
});

function valueInfo(name: string, shape: (number | string)[]): OnnxValueInfo {
  const w = new FieldWriter();
  for (const d of shape) w.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
  return { name, type: { tensor: { elemType: FLOAT, shape: w.finish(), rest: [] }, rest: [] }, rest: [] };
}

/** The nodes that compute `wanted` from `inputs`, in order; undefined if any needs something else. */
function slice(nodes: readonly OnnxNode[], wanted: string[], inputs: ReadonlySet<string>): OnnxNode[] | undefined {
  const producer = new Map<string, OnnxNode>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const done = new Set<OnnxNode>();
  const order: OnnxNode[] = [];
  const visit = (name: string): boolean => {
    if (name === '' || inputs.has(name)) return true;
    const n = producer.get(name);
    if (!n) return false;
    if (done.has(n)) return true;
    done.add(n);
    if (!n.inputs.every(visit)) return false;
    order.push(n);
    return true;
  };
  return wanted.every(visit) ? order : undefined;
}

/** A Conv node's weight (and bias) as values, from the Constant nodes that make them. */
function convWeights(conv: OnnxNode, constants: ReadonlyMap<string, OnnxTensor>) {
  const weight = constants.get(conv.inputs[1]);
  const bias = conv.inputs[2] ? constants.get(conv.inputs[2]) : undefined;
  const ints = (name: string) => conv.attributes.find((a) => a.name === name)?.ints?.map(Number) ?? [];
  if (!weight || weight.dataType !== FLOAT) return undefined;
  return {
    dims: weight.dims,
    weight: floatValues(weight),
    bias: bias && bias.dataType === FLOAT ? floatValues(bias) : undefined,
    kernel: ints('kernel_shape'),
    strides: ints('strides'),
    pads: ints('pads'),
    group: Number(conv.attributes.find((a) => a.name === 'group')?.i ?? 1n),
  };
}

const floats = (name: string, dims: number[], values: Float32Array): OnnxNode => ({
  ...node('Constant', [], [name]),
  attributes: [{ name: 'value', type: 4, t: makeTensor(name, FLOAT, dims, values), rest: [] }],
});

/**
 * A 1-D convolution (kernel 3, pad 1, stride 1 or 2) on [N, L, C] as one MatMul on [N·L', 3C]:
 * ONNX Runtime's Conv runs a tiny GEMM per frame at these lengths (L ≤ 4), the MatMul one for all.
 */
function convAsMatMul(
  x: string,
  length: number,
  w: { dims: number[]; weight: Float32Array; bias: Float32Array },
  stride: number,
  at: string,
): { nodes: OnnxNode[]; out: string; length: number } {
  const [co, c, k] = w.dims;
  const out = Math.floor((length + 2 - k) / stride) + 1;
  // Wk[(t·C + c), o] = weight[o, c, t]: the taps side by side, as the slices are concatenated.
  const wk = new Float32Array(k * c * co);
  for (let o = 0; o < co; o++)
    for (let ci = 0; ci < c; ci++)
      for (let t = 0; t < k; t++) wk[(t * c + ci) * co + o] = w.weight[(o * c + ci) * k + t];
  const taps = Array.from({ length: k }, (_, t) => `${at}/tap${t}`);
  const nodes: OnnxNode[] = [
    int64s(`${at}/pads`, [0, 1, 0, 0, 1, 0]),
    node('Pad', [x, `${at}/pads`], [`${at}/padded`]),
    int64s(`${at}/axis`, [1]),
    int64s(`${at}/step`, [stride]),
    ...taps.flatMap((tap, t) => [
      int64s(`${tap}/from`, [t]),
      int64s(`${tap}/to`, [t + stride * (out - 1) + 1]),
      node('Slice', [`${at}/padded`, `${tap}/from`, `${tap}/to`, `${at}/axis`, `${at}/step`], [tap]),
    ]),
    node('Concat', taps, [`${at}/im2col`], [attr('axis', { i: 2n })]),
    floats(`${at}/w`, [k * c, co], wk),
    floats(`${at}/b`, [co], w.bias),
    node('MatMul', [`${at}/im2col`, `${at}/w`], [`${at}/xw`]),
    node('Add', [`${at}/xw`, `${at}/b`], [`${at}/pre`]),
    node('Relu', [`${at}/pre`], [`${at}/out`]),
  ];
  return { nodes, out: `${at}/out`, length: out };
}

/**
 * The sequence form of a Silero VAD v5 model (its decoded bytes), or undefined when the graph is
 * not shaped like v5's: inputs input/state/sr, a top-level If on `sr` whose 16 kHz branch pads the
 * input (reflect), takes a 258×256 STFT Conv with hop 128 and magnitudes of its two halves, four
 * kernel-3 Convs with ReLU (strides 1, 2, 2, 1), one LSTM of 128 and the decoder's 1×1 Conv.
 */
export function sileroSequenceForm(model: OnnxModel): Uint8Array | undefined {
  // The derived graph's Squeeze, Slice and Pad take their axes and pads as inputs (opset 13).
  const opset = model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < 13) return undefined;
  const names = (list: readonly OnnxValueInfo[]) => list.map((v) => v.name).join(',');
  if (names(model.graph.inputs) !== 'input,state,sr' || names(model.graph.outputs) !== 'output,stateN')
    return undefined;
  const top = model.graph.nodes.find((n) => n.opType === 'If');
  const has16k = (g: OnnxGraph | undefined) =>
    g &&
    allNodes(g).some(
      (n) => n.opType === 'Conv' && n.attributes.some((a) => a.name === 'kernel_shape' && a.ints?.[0] === 256n),
    );
  const candidates = top ? [branch(top, 'then_branch'), branch(top, 'else_branch')] : [];
  const graph = candidates.find(has16k);
  if (!graph) return undefined;
  const nodes = allNodes(graph);
  const constants = new Map<string, OnnxTensor>();
  for (const n of nodes)
    if (n.opType === 'Constant' && n.attributes[0]?.t) constants.set(n.outputs[0], n.attributes[0].t);
  const named = (suffix: string) => nodes.find((n) => n.name.endsWith(suffix));
  const pad = nodes.find((n) => n.opType === 'Pad' && n.inputs[0] === 'input');
  const stft = named('/stft/Conv');
  const encoder = [0, 1, 2, 3].map((i) => named(`/encoder/${i}/reparam_conv/Conv`));
  const lstm = nodes.find((n) => n.opType === 'LSTM');
  const head = named('/decoder/decoder/2/Conv');
  if (!pad || !stft || encoder.some((c) => !c) || !lstm || !head || lstm.inputs.length < 4 || head.inputs.length < 3)
    return undefined;
  if (lstm.attributes.find((a) => a.name === 'hidden_size')?.i !== 128n) return undefined;
  const basis = convWeights(stft, constants);
  if (basis?.dims.join() !== '258,1,256' || basis.strides.join() !== '128' || basis.pads.some((p) => p !== 0))
    return undefined;
  const convs = encoder.map((c) => convWeights(c!, constants));
  const strides = [1, 2, 2, 1];
  const fits = convs.every(
    (c, i) =>
      c?.bias &&
      c.group === 1 &&
      c.kernel.join() === '3' &&
      c.pads.join() === '1,1' &&
      c.strides.join() === String(strides[i]) &&
      c.dims[1] === (i === 0 ? 129 : convs[i - 1]?.dims[0]),
  );
  if (!fits || convs[3]!.dims[0] !== 128) return undefined;
  const [, w, r, b] = lstm.inputs;
  const [, headW, headB] = head.inputs;
  // The reflect padding, the LSTM's weights (reordered as the model does it) and the head: as they are.
  const copied = slice(nodes, [pad.outputs[0], w, r, b, headW, headB], new Set(['input']));
  if (!copied) return undefined;

  nodeCount = 0;
  // The STFT: 640 padded samples = 5 blocks of 128; window j = blocks j, j + 1 (hop 128, width 256).
  const basisT = new Float32Array(256 * 258);
  for (let o = 0; o < 258; o++) for (let t = 0; t < 256; t++) basisT[t * 258 + o] = basis.weight[o * 256 + t];
  const stftNodes: OnnxNode[] = [
    int64s('seq/rows', [-1, 576]),
    node('Reshape', ['frames', 'seq/rows'], ['input']),
    ...copied,
    int64s('seq/blocks', [-1, 5, 128]),
    node('Reshape', [pad.outputs[0], 'seq/blocks'], ['seq/blocked']),
    int64s('seq/zero', [0]),
    int64s('seq/one', [1]),
    int64s('seq/two', [2]),
    int64s('seq/four', [4]),
    int64s('seq/five', [5]),
    int64s('seq/c129', [129]),
    int64s('seq/c258', [258]),
    node('Slice', ['seq/blocked', 'seq/zero', 'seq/four', 'seq/one'], ['seq/lead']),
    node('Slice', ['seq/blocked', 'seq/one', 'seq/five', 'seq/one'], ['seq/trail']),
    node('Concat', ['seq/lead', 'seq/trail'], ['seq/windows'], [attr('axis', { i: 2n })]),
    floats('seq/basis', [256, 258], basisT),
    node('MatMul', ['seq/windows', 'seq/basis'], ['seq/spectrum']),
    node('Slice', ['seq/spectrum', 'seq/zero', 'seq/c129', 'seq/two'], ['seq/re']),
    node('Slice', ['seq/spectrum', 'seq/c129', 'seq/c258', 'seq/two'], ['seq/im']),
    node('Mul', ['seq/re', 'seq/re'], ['seq/re2']),
    node('Mul', ['seq/im', 'seq/im'], ['seq/im2']),
    node('Add', ['seq/re2', 'seq/im2'], ['seq/power']),
    node('Sqrt', ['seq/power'], ['seq/magnitude']),
  ];
  // The encoder on [N, L, C]: lengths 4 → 4 → 2 → 1 → 1.
  let x = 'seq/magnitude';
  let length = 4;
  const encoderNodes: OnnxNode[] = [];
  for (const [i, c] of convs.entries()) {
    const conv = convAsMatMul(
      x,
      length,
      { dims: c!.dims, weight: c!.weight, bias: c!.bias! },
      strides[i],
      `seq/enc${i}`,
    );
    encoderNodes.push(...conv.nodes);
    [x, length] = [conv.out, conv.length];
  }
  if (length !== 1) return undefined;
  const added: OnnxNode[] = [
    ...stftNodes,
    ...encoderNodes,
    // Encoder out [S·T, 1, 128] → [T, S, 128], the LSTM's sequence.
    node('Shape', ['frames'], ['seq/frames_shape']),
    node('Slice', ['seq/frames_shape', 'seq/zero', 'seq/two'], ['seq/st']),
    int64s('seq/hidden', [128]),
    node('Concat', ['seq/st', 'seq/hidden'], ['seq/st_hidden'], [attr('axis', { i: 0n })]),
    node('Reshape', [x, 'seq/st_hidden'], ['seq/enc_st']),
    node('Transpose', ['seq/enc_st'], ['seq/x'], [attr('perm', { ints: [1n, 0n, 2n] })]),
    // state [2, S, 128] → h0, c0 [1, S, 128].
    node('Slice', ['state', 'seq/zero', 'seq/one'], ['seq/h0']),
    node('Slice', ['state', 'seq/one', 'seq/two'], ['seq/c0']),
    {
      ...lstm,
      name: 'seq/LSTM',
      inputs: ['seq/x', w, r, b, '', 'seq/h0', 'seq/c0'],
      outputs: ['seq/y', 'seq/yh', 'seq/yc'],
    },
    node('Concat', ['seq/yh', 'seq/yc'], ['stateN'], [attr('axis', { i: 0n })]),
    // Y [T, 1, S, 128] → ReLU → the 1×1 Conv as a MatMul → sigmoid → probs [S, T].
    node('Squeeze', ['seq/y', 'seq/one'], ['seq/y3']),
    node('Relu', ['seq/y3'], ['seq/relu']),
    int64s('seq/column', [128, 1]),
    node('Reshape', [headW, 'seq/column'], ['seq/head_w']),
    node('MatMul', ['seq/relu', 'seq/head_w'], ['seq/logit_w']),
    node('Add', ['seq/logit_w', headB], ['seq/logit']),
    node('Sigmoid', ['seq/logit'], ['seq/p']),
    node('Squeeze', ['seq/p', 'seq/two'], ['seq/p_ts']),
    node('Transpose', ['seq/p_ts'], ['probs'], [attr('perm', { ints: [1n, 0n] })]),
  ];
  const form: OnnxModel = {
    ...model,
    graph: {
      name: 'silero_vad_sequence',
      nodes: added,
      initializers: [],
      inputs: [valueInfo('frames', ['S', 'T', 576]), valueInfo('state', [2, 'S', 128])],
      outputs: [valueInfo('probs', ['S', 'T']), valueInfo('stateN', [2, 'S', 128])],
      valueInfo: [],
      rest: [],
    },
  };
  return encodeOnnxModel(form);
}

/** Frames of the test signal `formAgrees` runs: more than the model's receptive field in a call. */
const TEST_FRAMES = 48;

/**
 * Why the sequence form `form` does not give what the model `model` gives frame after frame on a
 * test signal (a gliding, amplitude-modulated tone over noise, then quiet), or undefined when every
 * probability agrees within 1e-4.
 */
export async function formAgrees(model: Uint8Array, form: Uint8Array): Promise<string | undefined> {
  const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1 };
  const [original, sequence] = await Promise.all([
    ort.InferenceSession.create(model, options),
    ort.InferenceSession.create(form, options),
  ]);
  try {
    const signal = new Float32Array(TEST_FRAMES * 512);
    let seed = 1;
    for (let i = 0; i < signal.length; i++) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      const t = i / 16000;
      const tone =
        i < signal.length * 0.7 ? 0.4 * Math.sin(2 * Math.PI * (140 + 60 * t) * t) * (0.6 + 0.4 * Math.sin(9 * t)) : 0;
      signal[i] = tone + 0.01 * (seed / 2 ** 32 - 0.5);
    }
    const rows = new Float32Array(TEST_FRAMES * 576);
    for (let k = 0; k < TEST_FRAMES; k++) {
      if (k > 0) rows.set(signal.subarray(k * 512 - 64, k * 512), k * 576);
      rows.set(signal.subarray(k * 512, (k + 1) * 512), k * 576 + 64);
    }
    const zeros = () => new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]);
    const out = await sequence.run({ frames: new ort.Tensor('float32', rows, [1, TEST_FRAMES, 576]), state: zeros() });
    const fast = out.probs.data as Float32Array;
    let state: ort.Tensor = zeros();
    const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
    let worst = 0;
    for (let k = 0; k < TEST_FRAMES; k++) {
      const input = new ort.Tensor('float32', rows.slice(k * 576, (k + 1) * 576), [1, 576]);
      const step = await original.run({ input, state, sr });
      state = step.stateN as ort.Tensor;
      worst = Math.max(worst, Math.abs((step.output.data as Float32Array)[0] - fast[k]));
    }
    return worst <= 1e-4 ? undefined : `it differs from the model by ${worst.toExponential(1)} on a test signal`;
  } finally {
    await Promise.all([original.release(), sequence.release()]);
  }
}
