/** What a feed posted to the GPU thread carries: its view only, never the rest of its buffer. */
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { TensorData } from '../../src/core/types.ts';
import { forPosting } from '../../src/inference/ort-tensors.ts';

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
