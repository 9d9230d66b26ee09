/** inspectModel on a real old-exporter model, on reel's own output, and on bad files. */
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../src/core/errors.ts';
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { inspectModel } from '../../src/onnx/inspect.ts';

const FACE = fileURLToPath(new URL('../../../shared/models/face-detector-rfb-320.onnx', import.meta.url));

describe('inspectModel', () => {
  it('reads the real Ultra-Light RFB-320 export, whose weights are also graph inputs', async () => {
    const info = await inspectModel(FACE);
    expect(info.inputs).toEqual([{ name: 'input', dtype: 'float32', shape: [1, 3, 240, 320] }]);
    expect(info.outputs.map((o) => [o.name, o.shape])).toEqual([
      ['scores', [1, 4420, 2]],
      ['boxes', [1, 4420, 4]],
    ]);
    expect(info.opset).toBe(9);
    expect(info.producer).toMatch(/^pytorch/);
    expect(info.initializerInputs.length).toBeGreaterThan(100);
    expect(info.initializerInputs).not.toContain('input');
    // "1MB" detector: about 0.28 M float weights in a 1.27 MB file.
    expect(info.parameterCount * 4).toBeLessThan(info.sizeBytes);
    expect(info.parameterCount * 4).toBeGreaterThan(info.sizeBytes * 0.8);
    expect(info.sizeBytes).toBe((await stat(FACE)).size);
  });

  it('reports symbolic dims by name and counts parameters of a built graph', async () => {
    const b = new GraphBuilder('g', 'seed');
    const x = b.input('x', 'float32', ['B', 3, 'T']);
    const w = b.param('w', [3, 5], { std: 1 });
    b.output(b.matmul(b.transpose(x, [0, 2, 1]), w), 'y', 'float32', ['B', 'T', 5]);
    const file = join(await mkdtemp(join(tmpdir(), 'reel-inspect-')), 'g.onnx');
    await writeFile(file, b.model());
    const info = await inspectModel(file);
    expect(info.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: ['B', 3, 'T'] }]);
    expect(info.outputs).toEqual([{ name: 'y', dtype: 'float32', shape: ['B', 'T', 5] }]);
    expect(info.parameterCount).toBe(15);
    expect(info.opset).toBe(17);
    expect(info.initializerInputs).toEqual([]);
  });

  it.each([
    ['an empty file', new Uint8Array(0), /empty file/],
    ['text', new TextEncoder().encode('hello, this is not a model\n'), /not a valid ONNX model/],
    ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24), /not a valid ONNX model/],
  ])('rejects %s with a ModelError naming the file', async (_label, bytes, message) => {
    const file = join(await mkdtemp(join(tmpdir(), 'reel-bad model ')), 'bad.onnx');
    await writeFile(file, bytes);
    const err = await inspectModel(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toContain(file);
    expect((err as ModelError).message).toMatch(message);
  });

  it('rejects a truncated real model and a missing file', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'reel-trunc-')), 'cut.onnx');
    await writeFile(file, (await readFile(FACE)).subarray(0, 50_000));
    await expect(inspectModel(file)).rejects.toThrow(ModelError);
    await expect(inspectModel(join(tmpdir(), 'no-such-model.onnx'))).rejects.toThrow(/no such file/);
  });
});
