/**
 * Parameterised layers over GraphBuilder: each creates its weights (seeded noise scaled by
 * 1/√fan-in so activations neither vanish nor explode through a few dozen layers) under its
 * own scope, and returns the output value.
 */
import type { GraphBuilder } from './builder.ts';

export interface ConvSpec {
  cin: number;
  cout: number;
  kernel: readonly number[];
  stride?: readonly number[];
  dilation?: readonly number[];
  /** ONNX pads [begin..., end...]; default "same" for stride 1 (extra on the end side). */
  pads?: readonly number[];
  groups?: number;
  bias?: boolean;
}

function samePads(kernel: readonly number[], dilation: readonly number[]): number[] {
  const total = kernel.map((k, i) => dilation[i] * (k - 1));
  return [...total.map((t) => Math.floor(t / 2)), ...total.map((t) => Math.ceil(t / 2))];
}

/** Conv over 1, 2 or 3 spatial axes (weights [cout, cin/groups, ...kernel]). */
export function conv(b: GraphBuilder, name: string, x: string, s: ConvSpec): string {
  return b.scope(name, () => {
    const groups = s.groups ?? 1;
    const ones = s.kernel.map(() => 1);
    const dilation = s.dilation ?? ones;
    const fanIn = (s.cin / groups) * s.kernel.reduce((a, c) => a * c, 1);
    const w = b.param('weight', [s.cout, s.cin / groups, ...s.kernel], { std: 1 / Math.sqrt(fanIn) });
    const inputs = [x, w];
    if (s.bias !== false) inputs.push(b.param('bias', [s.cout], { std: 0.02 }));
    return b.op('Conv', inputs, {
      kernel_shape: s.kernel,
      strides: s.stride ?? ones,
      dilations: dilation,
      pads: s.pads ?? samePads(s.kernel, dilation),
      group: groups,
    });
  });
}

export interface ConvTransposeSpec {
  cin: number;
  cout: number;
  kernel: readonly number[];
  stride: readonly number[];
  pads: readonly number[];
}

/** Transposed conv (weights [cin, cout, ...kernel]): the learned upsampler of vocoders and decoders. */
export function convTranspose(b: GraphBuilder, name: string, x: string, s: ConvTransposeSpec): string {
  return b.scope(name, () => {
    const fanIn = (s.cin * s.kernel.reduce((a, c) => a * c, 1)) / s.stride.reduce((a, c) => a * c, 1);
    const w = b.param('weight', [s.cin, s.cout, ...s.kernel], { std: 1 / Math.sqrt(fanIn) });
    const bias = b.param('bias', [s.cout], { std: 0.02 });
    return b.op('ConvTranspose', [x, w, bias], { kernel_shape: s.kernel, strides: s.stride, pads: s.pads });
  });
}

/** x·W + b over the last axis (weights [in, out], as torch.onnx exports nn.Linear). */
export function linear(
  b: GraphBuilder,
  name: string,
  x: string,
  inF: number,
  outF: number,
  opts: { bias?: boolean; std?: number } = {},
): string {
  return b.scope(name, () => {
    const w = b.param('weight', [inF, outF], { std: opts.std ?? 1 / Math.sqrt(inF) });
    const y = b.matmul(x, w);
    return opts.bias === false ? y : b.add(y, b.param('bias', [outF], { std: 0.02 }));
  });
}

export function layerNorm(b: GraphBuilder, name: string, x: string, dim: number, axis = -1): string {
  return b.scope(name, () => {
    const scale = b.param('weight', [dim], { fill: 1 });
    const bias = b.param('bias', [dim], { fill: 0 });
    return b.op('LayerNormalization', [x, scale, bias], { axis, epsilon: { float: 1e-5 } });
  });
}

/** Embedding lookup: table [vocab, dim] gathered by int64 ids. */
export function embedding(b: GraphBuilder, name: string, ids: string, vocab: number, dim: number): string {
  return b.scope(name, () => b.gather(b.param('weight', [vocab, dim], { std: 1 }), ids, 0));
}

/** [B, L, heads·hd] → [B, heads, L, hd]. */
export function splitHeads(b: GraphBuilder, x: string, heads: number, headDim: number): string {
  return b.transpose(b.reshape(x, [0, 0, heads, headDim]), [0, 2, 1, 3]);
}

/** [B, heads, L, hd] → [B, L, heads·hd]. */
export function mergeHeads(b: GraphBuilder, x: string, heads: number, headDim: number): string {
  return b.reshape(b.transpose(x, [0, 2, 1, 3]), [0, 0, heads * headDim]);
}

/** softmax(q·kᵀ/√hd + mask)·v over [B, heads, L, hd] tensors; `additiveMask` broadcasts to the scores. */
export function scaledDotAttention(
  b: GraphBuilder,
  q: string,
  k: string,
  v: string,
  headDim: number,
  additiveMask?: string,
): string {
  let scores = b.mul(b.matmul(q, b.transpose(k, [0, 1, 3, 2])), b.constFloat([1 / Math.sqrt(headDim)], []));
  if (additiveMask) scores = b.add(scores, additiveMask);
  return b.matmul(b.softmax(scores, -1), v);
}

export interface AttentionSpec {
  dim: number;
  heads: number;
  /** Keys/values come from here instead of the queries' input (cross-attention). */
  context?: string;
  contextDim?: number;
  additiveMask?: string;
}

/** Multi-head attention with input and output projections. */
export function attention(b: GraphBuilder, name: string, x: string, s: AttentionSpec): string {
  return b.scope(name, () => {
    const hd = s.dim / s.heads;
    const src = s.context ?? x;
    const srcDim = s.contextDim ?? s.dim;
    const q = splitHeads(b, linear(b, 'q', x, s.dim, s.dim), s.heads, hd);
    const k = splitHeads(b, linear(b, 'k', src, srcDim, s.dim), s.heads, hd);
    const v = splitHeads(b, linear(b, 'v', src, srcDim, s.dim), s.heads, hd);
    const o = mergeHeads(b, scaledDotAttention(b, q, k, v, hd, s.additiveMask), s.heads, hd);
    return linear(b, 'out', o, s.dim, s.dim);
  });
}

export function feedForward(b: GraphBuilder, name: string, x: string, dim: number, hidden: number): string {
  return b.scope(name, () => linear(b, 'fc2', b.gelu(linear(b, 'fc1', x, dim, hidden)), hidden, dim));
}

/** Pre-norm transformer block: x + attn(LN x), then x + FFN(LN x). */
export function transformerBlock(b: GraphBuilder, name: string, x: string, s: AttentionSpec & { ffn: number }): string {
  return b.scope(name, () => {
    const h = b.add(x, attention(b, 'attn', layerNorm(b, 'norm1', x, s.dim), s));
    return b.add(h, feedForward(b, 'ffn', layerNorm(b, 'norm2', h, s.dim), s.dim, s.ffn));
  });
}
