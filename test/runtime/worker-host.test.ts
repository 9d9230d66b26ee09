import { MessageChannel } from 'node:worker_threads';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ItemData } from '../../src/core/item.ts';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import type { PortPacket, TransformDefinition } from '../../src/core/stage.ts';
import type { AudioPacket, Packet } from '../../src/core/types.ts';
import { finiteVerdictOf } from '../../src/runtime/runner.ts';
import { prepareItem, prepareTransfer } from '../../src/runtime/transfer.ts';
import type { HostEvent, HostSpec } from '../../src/runtime/transform-host.ts';
import { createWorkerHost, liveStageWorkers } from '../../src/runtime/worker-host.ts';
import { STAGE_KINDS } from '../../stages/index.ts';
import { heapProbeStage } from '../fixtures/stages/heap-probe-stage.ts';
import { neighbourStage } from '../fixtures/stages/neighbour-stage.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';
import { wholeIdentityStage } from '../fixtures/stages/whole-identity-stage.ts';

function audio(data: Float32Array, index = 0, port = 'in'): PortPacket {
  const chunk = { clipId: 'c', index, start: index, end: index + 1, last: false };
  return {
    port,
    packet: { kind: 'audio', chunk, sampleRate: 16000, channels: 1, startSample: index * data.length, data },
  };
}

function hostSpec(def: TransformDefinition, options: Record<string, unknown> = {}): HostSpec {
  return {
    def,
    options: def.options.parse(options) as Record<string, unknown>,
    context: { id: 'x', models: {}, settings: DEFAULT_NODE_SETTINGS },
    log() {},
    outputRoom: async () => {},
    shared: () => false,
  };
}

/** Runs one item on a host; the packets it emitted. */
async function runOne(spec: HostSpec, item: ItemData, lastUse: ReadonlySet<Packet> = new Set()): Promise<PortPacket[]> {
  const host = await createWorkerHost(spec);
  try {
    const events: HostEvent[] = await lastValueFrom(host.run({ item, lastUse }).pipe(toArray()));
    return events.flatMap((e) => (e.type === 'packet' ? [e.out] : []));
  } finally {
    await host.dispose();
  }
}

describe('stage workers', () => {
  it('load a kind from the module URL it carries, and refuse one they cannot find', async () => {
    // Created inside the worker: the kind was found there, then its create() failed.
    await expect(createWorkerHost(hostSpec(spinStage, { failure: 'create', failAt: 0 }))).rejects.toThrow(
      'model file is unreadable',
    );
    const elsewhere = { ...spinStage, kind: 'no-such-kind' } as TransformDefinition;
    await expect(createWorkerHost(hostSpec(elsewhere))).rejects.toThrow(/exports no transform of kind "no-such-kind"/);
    const moduleless = { ...spinStage, module: undefined } as TransformDefinition;
    // (thrown before any worker starts; run-pipeline calls it inside an async function)
    await expect(Promise.resolve().then(() => createWorkerHost(hostSpec(moduleless)))).rejects.toThrow(
      'has no module URL to load in a worker',
    );
    expect(liveStageWorkers()).toBe(0);
  });

  it('find a built-in kind through the module URL stages/index.ts gives it', async () => {
    const builtin = STAGE_KINDS.rvc as TransformDefinition;
    expect(builtin.module).toMatch(/^file:.*\/stages\/rvc\/index\.ts$/);
    // No model is given, so creating fails — but inside the worker, after it found the kind.
    const error = await createWorkerHost(hostSpec(builtin)).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).not.toMatch(/exports no transform|no module URL/);
    expect(liveStageWorkers()).toBe(0);
  });

  it('hand an item with its neighbours to the worker intact', async () => {
    const [cur, next] = [audio(new Float32Array([1, 2]), 0), audio(new Float32Array([3, 4]), 1)];
    const item: ItemData = {
      chunk: cur.packet.chunk,
      ports: { in: cur.packet },
      before: [],
      after: [{ chunk: next.packet.chunk, ports: { in: next.packet } }],
      whole: {},
    };
    const out = await runOne(hostSpec(neighbourStage), item);
    expect(out.map((o) => [o.port, o.packet.chunk.index, Array.from((o.packet as AudioPacket).data)])).toEqual([
      ['out', 0, [1, 2]],
    ]);
    expect(liveStageWorkers()).toBe(0);
  });

  it('make the outputs of the ports in sharedOutputs in shared memory and move the others', async () => {
    const outputOf = async (sharedOutputs: string[]) => {
      const cur = audio(new Float32Array([7, 8]));
      const item: ItemData = { chunk: cur.packet.chunk, ports: { in: cur.packet }, before: [], after: [], whole: {} };
      const [out] = await runOne({ ...hostSpec(spinStage), sharedOutputs }, item, new Set([cur.packet]));
      return (out.packet as AudioPacket).data;
    };
    const moved = await outputOf([]);
    const shared = await outputOf(['out']);
    expect(moved.buffer).toBeInstanceOf(ArrayBuffer);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared)).toEqual([7, 8]);
    expect(liveStageWorkers()).toBe(0);
  });

  it('check their audio outputs for NaN themselves: the main thread gets the verdict with the packet', async () => {
    const verdictOf = async (failAt: number) => {
      const cur = audio(new Float32Array([1, 2, 3, 4]));
      const item: ItemData = { chunk: cur.packet.chunk, ports: { in: cur.packet }, before: [], after: [], whole: {} };
      const [out] = await runOne(hostSpec(spinStage, { failAt, failure: 'nan' }), item);
      return finiteVerdictOf(out.packet);
    };
    expect(await verdictOf(-1)).toBeNull();
    expect(await verdictOf(0)).toMatch(/^emitted a NaN sample on "out" at 0\.000 s/);
    expect(liveStageWorkers()).toBe(0);
  });

  it('keep the whole inputs of several clips, so clips taking turns on one instance are not sent again', async () => {
    // Each clip's own whole packet; the stage answers how many distinct whole objects it has seen.
    const refs = new Map<string, Packet>();
    const item = (clip: string, index: number): ItemData => {
      const { packet } = audio(new Float32Array([0, 0]), index);
      const chunk = { ...packet.chunk, clipId: clip };
      if (!refs.has(clip)) refs.set(clip, { ...(audio(new Float32Array([7])).packet as AudioPacket), chunk });
      return { chunk, ports: { in: { ...packet, chunk } }, before: [], after: [], whole: { ref: refs.get(clip)! } };
    };
    const host = await createWorkerHost(hostSpec(wholeIdentityStage));
    const seen = async (clip: string, index: number) => {
      const events = await lastValueFrom(host.run({ item: item(clip, index), lastUse: new Set() }).pipe(toArray()));
      const out = events.find((e) => e.type === 'packet');
      return out?.type === 'packet' ? (out.out.packet as AudioPacket).data[0] : undefined;
    };
    try {
      // a, b, a, b: two objects in all (sent once per clip, not at each turn).
      expect([await seen('a', 0), await seen('b', 0), await seen('a', 1), await seen('b', 1)]).toEqual([1, 2, 2, 2]);
      // A clip whose run is over is forgotten (SharedHost at a lease's end): sent anew if it came back.
      host.forget?.('a');
      expect([await seen('a', 2), await seen('b', 2)]).toEqual([3, 3]);
      // 16 clips more: over the 16 a worker keeps, so the least recent (a, then b) went.
      const more = [];
      for (let k = 0; k < 16; k++) more.push(await seen(`c${k}`, 0));
      expect(more).toEqual(Array.from({ length: 16 }, (_, k) => 4 + k));
      expect(await seen('b', 3)).toBe(20);
    } finally {
      await host.dispose();
    }
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
    const { packets, transfer } = prepareTransfer(
      [audio(view), audio(whole)],
      (p) => p.kind === 'audio' && p.data === whole,
    );
    expect(transfer).toHaveLength(2);
    expect(transfer).not.toContain(big.buffer);
    expect(transfer).not.toContain(whole.buffer);
    expect(Array.from((packets[0].packet as AudioPacket).data)).toEqual([5, 5]);
    expect(Array.from((packets[1].packet as AudioPacket).data)).toEqual([7, 7]);
  });

  it('copies a Node Buffer payload as bytes, never moving the pool it was cut from', () => {
    const bytes = Buffer.from('hello world'); // a view on Node's shared 8 KiB pool
    const frame: Packet = {
      kind: 'video',
      chunk: { clipId: 'c', index: 0, start: 0, end: 1, last: false },
      width: 1,
      height: 1,
      fps: 1,
      startFrame: 0,
      frameCount: 1,
      data: bytes,
    };
    const { packets, transfer } = prepareTransfer([{ port: 'out', packet: frame }]);
    const sent = (packets[0].packet as { data: Uint8Array }).data;
    expect(transfer).toEqual([sent.buffer]);
    expect(sent.buffer.byteLength).toBe(bytes.length);
    expect(Buffer.from(sent).toString()).toBe('hello world');
  });
});

describe('prepareItem', () => {
  it('moves a packet at its last use and copies a neighbour that later items still need', () => {
    const [cur, next] = [audio(new Float32Array([1]), 0), audio(new Float32Array([2]), 1)];
    const item: ItemData = {
      chunk: cur.packet.chunk,
      ports: { in: cur.packet },
      before: [],
      after: [{ chunk: next.packet.chunk, ports: { in: next.packet } }],
      whole: {},
    };
    const { item: prepared, transfer } = prepareItem(item, (p) => p === cur.packet);
    const curData = (cur.packet as AudioPacket).data;
    const nextData = (next.packet as AudioPacket).data;
    expect(transfer).toContain(curData.buffer);
    expect(transfer).not.toContain(nextData.buffer);
    expect(prepared.ports.in).toBe(cur.packet);
    expect((prepared.after[0].ports.in as AudioPacket).data).not.toBe(nextData);
    expect(Array.from((prepared.after[0].ports.in as AudioPacket).data)).toEqual([2]);
  });

  it('copies a packet posted again and again once, into shared memory, and shares that copy after', () => {
    const chunks = [0, 1, 2].map((k) => audio(new Float32Array([k + 1, k + 1]), k));
    const itemOf = (k: number): ItemData => ({
      chunk: chunks[k].packet.chunk,
      ports: { in: chunks[k].packet },
      before: k > 0 ? [{ chunk: chunks[k - 1].packet.chunk, ports: { in: chunks[k - 1].packet } }] : [],
      after: k < 2 ? [{ chunk: chunks[k + 1].packet.chunk, ports: { in: chunks[k + 1].packet } }] : [],
      whole: {},
    });
    // Chunk 1 serves items 0 (after), 1 (its own) and 2 (before); items 1 and 2 are its last uses.
    const middle = chunks[1].packet;
    const dataOf = (p: Packet) => (p as AudioPacket).data;
    const first = prepareItem(itemOf(0), () => false);
    const shared = dataOf(first.item.after[0].ports.in);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(shared)).toEqual([2, 2]);
    const second = prepareItem(itemOf(1), (p) => p === middle);
    const third = prepareItem(itemOf(2), (p) => p === middle);
    // Every later post shares the same copy; the original is neither moved nor copied again.
    expect(dataOf(second.item.ports.in)).toBe(shared);
    expect(dataOf(third.item.before[0].ports.in)).toBe(shared);
    for (const t of [first, second, third]) expect(t.transfer).not.toContain(dataOf(middle).buffer);
    expect(dataOf(middle).length).toBe(2);
  });
});

describe('stage worker heaps', () => {
  it('keep their young generation small however much a stage churns (it otherwise grows to 16 MB per semi-space)', async () => {
    const p = audio(new Float32Array(4));
    const out = await runOne(hostSpec(heapProbeStage, { churnMb: 128 }), {
      chunk: p.packet.chunk,
      ports: { in: p.packet },
      before: [],
      after: [],
      whole: {},
    });
    expect(out).toHaveLength(1);
    const size = (out[0].packet as AudioPacket).data[0];
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(6 * 2 ** 20);
  });
});
