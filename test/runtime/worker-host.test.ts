import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { PortPacket, StageDefinition } from '../../src/core/stage.ts';
import type { AudioPacket } from '../../src/core/types.ts';
import { prepareTransfer } from '../../src/runtime/transfer.ts';
import { createWorkerHost, liveStageWorkers } from '../../src/runtime/worker-host.ts';
import { STAGE_KINDS } from '../../stages/index.ts';

function audio(data: Float32Array): PortPacket {
  const chunk = { clipId: 'c', index: 0, start: 0, end: 1, last: true };
  return { port: 'in', packet: { kind: 'audio', chunk, sampleRate: 16000, channels: 1, startSample: 0, data } };
}

const ignore = { packet() {}, done() {}, complete() {}, error() {} };

describe('stage workers', () => {
  it('finds a built-in kind in stages/index.ts by kind alone', async () => {
    const builtin = STAGE_KINDS.hifigan as StageDefinition;
    expect(builtin.module).toBeUndefined();
    // No model is given, so creating fails — but inside the worker, after it found the kind
    // (not implemented yet, or no model file): never "unknown stage kind".
    const spec = { def: builtin, options: builtin.options.parse({}), context: { id: 'x', models: {} }, outputPorts: [], log() {} };
    const error = await createWorkerHost(spec, ignore).then(() => undefined, (err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toContain('unknown stage kind');
    const unknown = { ...spec, def: { ...builtin, kind: 'no-such-kind' } };
    await expect(createWorkerHost(unknown, ignore)).rejects.toThrow('unknown stage kind "no-such-kind"');
    expect(liveStageWorkers()).toBe(0);
  });
});

describe('prepareTransfer', () => {
  it('moves a payload that owns its buffer, without a copy', async () => {
    const data = new Float32Array([1, 2, 3]);
    const { packets, transfer } = prepareTransfer([audio(data)]);
    expect(transfer).toEqual([data.buffer]);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<PortPacket[]>((resolve) => port2.once('message', resolve));
    port1.postMessage(packets, transfer);
    const [got] = await received;
    expect(Array.from((got.packet as AudioPacket).data)).toEqual([1, 2, 3]);
    expect(data.byteLength).toBe(0); // detached here: it was moved, not copied
    port1.close();
  });

  it('copies a view on a larger buffer and a packet still shared by another consumer', () => {
    const big = new Float32Array(8).fill(5);
    const view = big.subarray(2, 4);
    const whole = new Float32Array([7, 7]);
    const { packets, transfer } = prepareTransfer([audio(view), audio(whole)], (p) => p.kind === 'audio' && p.data === whole);
    expect(transfer).toHaveLength(2);
    expect(transfer).not.toContain(big.buffer);
    expect(transfer).not.toContain(whole.buffer);
    expect(Array.from((packets[0].packet as AudioPacket).data)).toEqual([5, 5]);
    expect(Array.from((packets[1].packet as AudioPacket).data)).toEqual([7, 7]);
  });
});

describe('stage worker heaps', () => {
  it('keep their young generation small however much a stage churns (it otherwise grows to 16 MB per semi-space)', async () => {
    const { heapProbeStage } = await import('../fixtures/stages/heap-probe-stage.ts');
    const sizes: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const events = {
      ...ignore,
      packet: (_seq: number, out: PortPacket) => sizes.push((out.packet as AudioPacket).data[0]),
      done: () => done(),
    };
    const spec = { def: heapProbeStage, options: heapProbeStage.options.parse({ churnMb: 128 }), context: { id: 'probe', models: {} }, outputPorts: ['out'], log() {} };
    const host = await createWorkerHost(spec, events);
    try {
      host.submit({ seq: 0, packets: [audio(new Float32Array(4))] });
      await finished;
    } finally {
      await host.dispose();
    }
    expect(sizes).toHaveLength(1);
    expect(sizes[0]).toBeGreaterThan(0);
    expect(sizes[0]).toBeLessThanOrEqual(6 * 2 ** 20);
  });
});
