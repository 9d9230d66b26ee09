/** Graphs built by GraphBuilder compute what their ops mean, checked against plain JS maths. */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, layerNorm } from '../../src/onnx/layers.ts';
import { normalWeights } from '../../src/onnx/random.ts';

const opts = { logSeverityLevel: 3 as const, intraOpNumThreads: 1 };

describe('GraphBuilder', () => {
  it('a dilated Conv1d with seeded weights matches a direct convolution', async () => {
    const b = new GraphBuilder('conv', 'test-seed');
    const x = b.input('x', 'float32', [1, 2, 'T']);
    b.output(conv(b, 'c', x, { cin: 2, cout: 3, kernel: [3], dilation: [2], bias: false }), 'y', 'float32', [
      1,
      3,
      'T',
    ]);
    const s = await ort.InferenceSession.create(b.model(), opts);
    const T = 9;
    const xs = Float32Array.from({ length: 2 * T }, (_, i) => Math.cos(i));
    const y = (await s.run({ x: new ort.Tensor('float32', xs, [1, 2, T]) })).y.data as Float32Array;
    // The weights are the seeded stream of the parameter's full name.
    const w = normalWeights('test-seed/c.weight', 3 * 2 * 3, 1 / Math.sqrt(6));
    for (let o = 0; o < 3; o++) {
      for (let t = 0; t < T; t++) {
        let acc = 0;
        for (let c = 0; c < 2; c++)
          for (let k = 0; k < 3; k++) {
            const src = t + (k - 1) * 2;
            if (src >= 0 && src < T) acc += w[(o * 2 + c) * 3 + k] * xs[c * T + src];
          }
        expect(y[o * T + t]).toBeCloseTo(acc, 5);
      }
    }
  });

  it('Slice/Concat/Reshape/Softmax/LayerNormalization/Gather behave per opset 17', async () => {
    const b = new GraphBuilder('ops', 's');
    const x = b.input('x', 'float32', [2, 4]);
    const ids = b.input('ids', 'int64', [3]);
    const sm = b.softmax(b.slice(x, [1], [3], [1]), -1);
    const ln = layerNorm(b, 'ln', x, 4);
    b.output(b.reshape(b.concat([sm, sm], 1), [4, 2]), 'a', 'float32', [4, 2]);
    b.output(ln, 'n', 'float32', [2, 4]);
    b.output(b.gather(x, ids, 1), 'g', 'float32', [2, 3]);
    const s = await ort.InferenceSession.create(b.model(), opts);
    const xs = Float32Array.from([1, 2, 3, 4, 0, 0, 1, 5]);
    const out = await s.run({
      x: new ort.Tensor('float32', xs, [2, 4]),
      ids: new ort.Tensor('int64', BigInt64Array.from([3n, 0n, 3n]), [3]),
    });
    const e = Math.exp(1) / (1 + Math.exp(1));
    const a = Array.from(out.a.data as Float32Array);
    [1 - e, e, 1 - e, e, 1 - e, e, 1 - e, e].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 6));
    expect((out.n.data as Float32Array)[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25 + 1e-5), 4);
    expect(Array.from(out.g.data as Float32Array)).toEqual([4, 1, 4, 5, 0, 5]);
  });

  it('writes the same bytes for the same graph', () => {
    const make = () => {
      const b = new GraphBuilder('d', 'seed');
      const x = b.input('x', 'float32', ['B', 4, 'T']);
      b.output(conv(b, 'c', x, { cin: 4, cout: 4, kernel: [5] }), 'y', 'float32', ['B', 4, 'T']);
      return b.model();
    };
    expect(Buffer.compare(make(), make())).toBe(0);
  });
});
