/**
 * A small typed ONNX graph builder: values are tensor names (strings), ops append nodes, and
 * parameters are initializers filled with seeded noise named by the current scope. Enough for
 * convolutional vocoders, attention blocks and conv decoders; opset 17 semantics throughout
 * (Slice/Reshape/Unsqueeze take their index lists as inputs, LayerNormalization exists).
 */
import type { Dim } from '../core/contract.ts';
import type { TensorDType } from '../core/types.ts';
import { normalWeights } from './random.ts';
import {
  encodeModel,
  type AttrValue,
  type NodeDef,
  type TensorDef,
  type TensorValues,
  type ValueInfo,
} from './schema.ts';

export const OPSET = 17;
export const IR_VERSION = 8;

export interface BuildOptions {
  producerVersion?: string;
  doc?: string;
  metadata?: Readonly<Record<string, string>>;
}

export class GraphBuilder {
  private readonly nodes: NodeDef[] = [];
  private readonly inits: TensorDef[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Map<string, number>();
  private readonly scopes: string[] = [];

  /** `seed` keys every parameter's noise stream (e.g. `hifigan/tiny`). */
  constructor(
    readonly name: string,
    readonly seed: string,
  ) {}

  /** A name unique in the graph, under the current scope. */
  fresh(base: string): string {
    const full = [...this.scopes, base].join('.');
    const n = this.used.get(full) ?? 0;
    this.used.set(full, n + 1);
    return n === 0 ? full : `${full}_${n}`;
  }

  /** Runs `body` with names prefixed by `name.` (layers nest scopes: `dec.up.0.conv.weight`). */
  scope<T>(name: string | number, body: () => T): T {
    this.scopes.push(String(name));
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  input(name: string, dtype: TensorDType, shape: readonly Dim[], doc?: string): string {
    this.inputs.push({ name, dtype, shape, doc });
    return name;
  }

  /** Declares `value` as graph output `name` (through an Identity when the names differ). */
  output(value: string, name: string, dtype: TensorDType, shape: readonly Dim[], doc?: string): void {
    if (value !== name)
      this.nodes.push({ opType: 'Identity', name: `${name}_identity`, inputs: [value], outputs: [name] });
    this.outputs.push({ name, dtype, shape, doc });
  }

  initializer(base: string, dtype: TensorDType, dims: readonly number[], data: TensorValues): string {
    const name = this.fresh(base);
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.length !== count) throw new Error(`initializer ${name}: ${data.length} values for dims [${dims}]`);
    this.inits.push({ name, dtype, dims, data });
    return name;
  }

  /** A learned parameter: N(0, std²) noise, or a constant fill when `fill` is given. */
  param(base: string, dims: readonly number[], init: { std: number } | { fill: number }): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const name = this.fresh(base);
    const data =
      'std' in init ? normalWeights(`${this.seed}/${name}`, count, init.std) : new Float32Array(count).fill(init.fill);
    this.inits.push({ name, dtype: 'float32', dims, data });
    return name;
  }

  constFloat(values: readonly number[] | Float32Array, dims: readonly number[] = [values.length]): string {
    return this.initializer('const', 'float32', dims, Float32Array.from(values));
  }

  constInt(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.initializer('const', 'int64', dims, BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  /** Appends one node; returns its output names. */
  opN(opType: string, inputs: readonly string[], outputs: number, attributes?: Record<string, AttrValue>): string[] {
    const name = this.fresh(opType);
    const outs = Array.from({ length: outputs }, (_, i) => (outputs === 1 ? name : `${name}:${i}`));
    this.nodes.push({ opType, name, inputs, outputs: outs, attributes });
    return outs;
  }

  op(opType: string, inputs: readonly string[], attributes?: Record<string, AttrValue>): string {
    return this.opN(opType, inputs, 1, attributes)[0];
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.op('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.op('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.op('Div', [a, b]);
  }
  matmul(a: string, b: string): string {
    return this.op('MatMul', [a, b]);
  }
  relu(x: string): string {
    return this.op('Relu', [x]);
  }
  sigmoid(x: string): string {
    return this.op('Sigmoid', [x]);
  }
  tanh(x: string): string {
    return this.op('Tanh', [x]);
  }
  leakyRelu(x: string, alpha = 0.1): string {
    return this.op('LeakyRelu', [x], { alpha: { float: alpha } });
  }
  silu(x: string): string {
    return this.mul(x, this.sigmoid(x));
  }
  /** Exact GELU, x·Φ(x), written with Erf (the Gelu op arrives only in opset 20). */
  gelu(x: string): string {
    const erf = this.op('Erf', [this.mul(x, this.constFloat([Math.SQRT1_2], []))]);
    return this.mul(this.mul(x, this.constFloat([0.5], [])), this.add(erf, this.constFloat([1], [])));
  }
  softmax(x: string, axis = -1): string {
    return this.op('Softmax', [x], { axis });
  }
  transpose(x: string, perm: readonly number[]): string {
    return this.op('Transpose', [x], { perm });
  }
  concat(xs: readonly string[], axis: number): string {
    return this.op('Concat', xs, { axis });
  }
  cast(x: string, to: TensorDType): string {
    const codes: Record<TensorDType, number> = {
      float32: 1,
      uint8: 2,
      int8: 3,
      int32: 6,
      int64: 7,
      bool: 9,
      float16: 10,
    };
    return this.op('Cast', [x], { to: codes[to] });
  }
  /** Reshape to a shape given as constants (0 copies a dim, −1 infers one) or as a tensor. */
  reshape(x: string, shape: readonly number[] | string): string {
    return this.op('Reshape', [x, typeof shape === 'string' ? shape : this.constInt(shape)]);
  }
  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.constInt(axes)]);
  }
  squeeze(x: string, axes: readonly number[]): string {
    return this.op('Squeeze', [x, this.constInt(axes)]);
  }
  gather(data: string, indices: string, axis = 0): string {
    return this.op('Gather', [data, indices], { axis });
  }
  /** Slice along `axes`; each bound is a constant or an int64 [1] tensor name. */
  slice(
    x: string,
    starts: readonly (number | string)[],
    ends: readonly (number | string)[],
    axes: readonly number[],
  ): string {
    const bound = (v: readonly (number | string)[]): string =>
      v.every((e) => typeof e === 'number')
        ? this.constInt(v as number[])
        : this.concat(
            v.map((e) => (typeof e === 'number' ? this.constInt([e]) : e)),
            0,
          );
    return this.op('Slice', [x, bound(starts), bound(ends), this.constInt(axes)]);
  }
  /** Dimension `axis` of `x` as an int64 [1] tensor. */
  dim(x: string, axis: number): string {
    return this.op('Shape', [x], { start: axis, end: axis === -1 ? 2 ** 31 - 1 : axis + 1 });
  }

  model(options: BuildOptions = {}): Uint8Array {
    return encodeModel({
      graph: {
        name: this.name,
        nodes: this.nodes,
        initializers: this.inits,
        inputs: this.inputs,
        outputs: this.outputs,
        doc: options.doc,
      },
      opset: OPSET,
      irVersion: IR_VERSION,
      producerName: 'reel',
      producerVersion: options.producerVersion ?? '0.1.0',
      doc: options.doc,
      metadata: options.metadata,
    });
  }

  /** Total parameter count so far (for size budgets in tests). */
  get parameterCount(): number {
    return this.inits.reduce((n, t) => n + t.data.length, 0);
  }
}
