/**
 * ItemWindow builds a node's items from its joined input chunks: item k holds chunk k, its
 * declared neighbours of the same clip and the clip's whole inputs, and is handed out once chunk
 * k + after has arrived or nothing more can come for the clip. It says which packets no later
 * item uses, so a worker may take their buffers instead of copies.
 */
import { describe, expect, it } from 'vitest';
import type { ItemData } from '../../src/core/item.ts';
import type { Packet, TextPacket } from '../../src/core/types.ts';
import { ItemWindow, type ReadyItem } from '../../src/runtime/item-window.ts';

function chunk(index: number, last = false, clipId = 'clip'): { port: string; packet: Packet } {
  const info = { clipId, index, start: index, end: index + 1, last };
  return {
    port: 'in',
    packet: {
      kind: 'audio',
      chunk: info,
      sampleRate: 8000,
      channels: 1,
      startSample: index * 8000,
      data: new Float32Array(1).fill(index),
    },
  };
}

const indices = (item: ItemData) => ({
  k: item.chunk.index,
  before: item.before.map((c) => c.chunk.index),
  after: item.after.map((c) => c.chunk.index),
});
const lastUseOf = (ready: ReadyItem) => [...ready.lastUse].map((p) => p.chunk.index).sort();

describe('ItemWindow', () => {
  it('hands out each chunk as an item at once when the kind declares no neighbours', () => {
    const window = new ItemWindow({ before: 0, after: 0 }, new Set(), true);
    expect(window.wantsInput(true)).toBe(true);
    window.push([chunk(0)]);
    expect(window.wantsInput(true)).toBe(false);
    const ready = window.take()!;
    expect(indices(ready.item)).toEqual({ k: 0, before: [], after: [] });
    expect(lastUseOf(ready)).toEqual([0]);
    expect(window.take()).toBeUndefined();
    expect(window.pending).toBe(0);
  });

  it('starts item k once chunk k + after has arrived, with `before` earlier and `after` later chunks', () => {
    const window = new ItemWindow({ before: 1, after: 1 }, new Set(), true);
    window.push([chunk(0)]);
    expect(window.take()).toBeUndefined(); // waits for chunk 1
    expect(window.wantsInput(true)).toBe(true);
    window.push([chunk(1)]);
    expect(window.wantsInput(true)).toBe(false); // holds at most `after` chunks beyond the next item
    const items: ReadyItem[] = [window.take()!];
    window.push([chunk(2)]);
    items.push(window.take()!);
    window.push([chunk(3, true)]);
    items.push(window.take()!, window.take()!);
    expect(window.take()).toBeUndefined();
    expect(items.map((r) => indices(r.item))).toEqual([
      { k: 0, before: [], after: [1] },
      { k: 1, before: [0], after: [2] },
      { k: 2, before: [1], after: [3] },
      { k: 3, before: [2], after: [] },
    ]);
    // A chunk's packets are last used by the item that reaches it last (k + before).
    expect(items.map(lastUseOf)).toEqual([[], [0], [1], [2, 3]]);
    expect(window.pending).toBe(0);
  });

  it('closes a clip when the next clip begins or the input ends, without waiting for neighbours', () => {
    const window = new ItemWindow({ before: 0, after: 2 }, new Set(), true);
    window.push([chunk(0, false, 'a')]);
    window.push([chunk(1, false, 'a')]);
    expect(window.take()).toBeUndefined();
    window.push([chunk(0, false, 'b')]);
    expect(indices(window.take()!.item)).toEqual({ k: 0, before: [], after: [1] });
    expect(indices(window.take()!.item)).toEqual({ k: 1, before: [], after: [] });
    // Clip b's chunk 0 never sees clip a's chunks as neighbours, and waits for its own.
    expect(window.take()).toBeUndefined();
    window.end();
    const last = window.take()!;
    expect(last.item.chunk.clipId).toBe('b');
    expect(indices(last.item)).toEqual({ k: 0, before: [], after: [] });
    expect(window.take()).toBeUndefined();
  });

  it('gives every item of a clip its whole inputs, and releases them with the clip', () => {
    const text: { port: string; packet: TextPacket } = {
      port: 'script',
      packet: { kind: 'text', chunk: { clipId: 'clip', index: 0, start: 0, end: 0, last: true }, text: 'hi' },
    };
    const window = new ItemWindow({ before: 0, after: 0 }, new Set(['script']), true);
    window.push([chunk(0), text]);
    window.push([chunk(1, true)]);
    const [a, b] = [window.take()!, window.take()!];
    expect(a.item.whole.script).toBe(text.packet);
    expect(b.item.whole.script).toBe(text.packet);
    expect(Object.keys(a.item.ports)).toEqual(['in']);
    expect(a.lastUse.has(text.packet)).toBe(false);
    expect(b.lastUse.has(text.packet)).toBe(true);
  });

  it('makes one item per clip for a kind whose inputs are all whole', () => {
    const text: { port: string; packet: Packet } = {
      port: 'script',
      packet: { kind: 'text', chunk: { clipId: 'clip', index: 0, start: 0, end: 0, last: true }, text: 'hi' },
    };
    const window = new ItemWindow({ before: 0, after: 0 }, new Set(['script']), false);
    window.push([text]);
    const ready = window.take()!;
    expect(ready.item.chunk).toEqual(text.packet.chunk);
    expect(ready.item.ports).toEqual({});
    expect(ready.item.whole.script).toBe(text.packet);
    expect(window.take()).toBeUndefined();
  });
});
