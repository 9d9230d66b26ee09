/**
 * Tensors crossing threads: a feed posted to the GPU thread carries its view only, never the rest of
 * its buffer; data in shared memory reaches onnxruntime as a copy.
 */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../src/core/types.ts';
import * as ort from 'onnxruntime-node';
import { buildReferenceModel } from '../../models/generate.ts';
import { forPosting, toOrt } from '../../src/inference/ort-tensors.ts';

/** What the other side of a port receives when `t` is posted as forPosting prepares it. */
function posted(t: TensorData): TensorData {
  const { port1, port2 } = new MessageChannel();
  const { tensor, transfer } = forPosting(t);
  port1.postMessage(tensor, transfer ? [transfer] : []);
  const received = receiveMessageOnPort(port2)!.message as TensorData;
  port1.close();
  return received;
}

describe('forPosting', () => {
  it('sends a view of a large reused buffer as its own bytes, moved, and leaves the buffer as it was', () => {
    const reused = new Float32Array(1 << 20).map((_, i) => i);
    const view = reused.subarray(1000, 1512);
    const received = posted({ dtype: 'float32', dims: [1, 512], data: view });
    expect(received.data.buffer.byteLength).toBe(512 * 4);
    expect([...received.data]).toEqual([...view]);
    expect(received.dims).toEqual([1, 512]);
    // The stage's buffer is neither detached nor changed.
    expect(reused.length).toBe(1 << 20);
    expect(reused[1000]).toBe(1000);
  });

  it('posts a tensor that spans its buffer as it is (copied by the post, still the stage’s)', () => {
    const whole = new Int32Array([1, 2, 3]);
    const prepared = forPosting({ dtype: 'int32', dims: [3], data: whole });
    expect(prepared.transfer).toBeUndefined();
    expect(prepared.tensor.data).toBe(whole);
    expect([...posted({ dtype: 'int32', dims: [3], data: whole }).data]).toEqual([1, 2, 3]);
    expect(whole.length).toBe(3);
  });
});

describe('toOrt', () => {
  it('gives onnxruntime a copy of data in shared memory (it refuses a SharedArrayBuffer) and the data itself otherwise', () => {
    const shared = new Float32Array(new SharedArrayBuffer(12));
    shared.set([1, 2, 3]);
    const fromShared = toOrt({ dtype: 'float32', dims: [3], data: shared });
    expect(fromShared.data).not.toBe(shared);
    expect((fromShared.data as Float32Array).buffer).toBeInstanceOf(ArrayBuffer);
    expect(Array.from(fromShared.data as Float32Array)).toEqual([1, 2, 3]);
    const plain = new Float32Array([4, 5]);
    expect(toOrt({ dtype: 'float32', dims: [2], data: plain }).data).toBe(plain);
  });

  it('runs a session on a feed that came in shared memory', async () => {
    const session = await ort.InferenceSession.create(buildReferenceModel('hifigan', 'tiny'));
    const [input] = session.inputMetadata;
    const dims = (input as { shape: readonly (number | string)[] }).shape.map((d) => (typeof d === 'number' ? d : 8));
    const size = dims.reduce((a, b) => a * b, 1);
    const shared = new Float32Array(new SharedArrayBuffer(size * 4)).fill(0.1);
    const out = await session.run({ [input.name]: toOrt({ dtype: 'float32', dims, data: shared }) });
    expect(Object.keys(out).length).toBeGreaterThan(0);
    await session.release();
  });
});
