import { describe, expect, it } from 'vitest';
import { hasRoom, hasRoomForPacket, joinCapacity, lookaheadDepths, mayStart } from '../../src/runtime/flow-control.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { sumJoinStage } from '../fixtures/stages/join-stage.ts';
import { neighbourStage } from '../fixtures/stages/neighbour-stage.ts';

describe('flow control', () => {
  it('starts one more item only while every edge holds fewer than max(queue, concurrency), counting items in flight', () => {
    const edge = (length: number, capacity = 2) => ({ length, capacity });
    expect(hasRoom([], 5, 1)).toBe(true);
    expect(hasRoom([edge(1)], 0, 1)).toBe(true);
    expect(hasRoom([edge(1)], 1, 1)).toBe(false);
    expect(hasRoom([edge(0), edge(2)], 0, 1)).toBe(false); // the fullest edge decides
    // Three instances on a queue of 2: each may hold an item whose packet is not out yet.
    expect(hasRoom([edge(0)], 2, 3)).toBe(true);
    expect(hasRoom([edge(0)], 3, 3)).toBe(false);
  });

  it('lets a generating item emit only into a free place on every edge', () => {
    expect(hasRoomForPacket([])).toBe(true);
    expect(hasRoomForPacket([{ length: 1, capacity: 2 }])).toBe(true);
    expect(
      hasRoomForPacket([
        { length: 1, capacity: 2 },
        { length: 2, capacity: 2 },
      ]),
    ).toBe(false);
  });

  it('gives a join input room for what its branch runs ahead of one held back by neighbours', () => {
    const graph = testGraph({
      nodes: {
        src: { def: counterSource },
        h0: { def: neighbourStage },
        h1: { def: neighbourStage },
        join: { def: sumJoinStage, settings: { queue: 1 } },
        sink: { def: collectSink },
      },
      edges: [
        'src.audio -> h0.in',
        'h0.out -> h1.in',
        'h1.out -> join.a',
        'src.audio -> join.b',
        'join.out -> sink.in',
      ],
    });
    const depth = lookaheadDepths(graph);
    expect(Object.fromEntries(depth)).toEqual({ src: 0, h0: 1, h1: 2, join: 2, sink: 2 });
    const capacity = (from: string, to: string) =>
      joinCapacity(graph, graph.edges.find((e) => e.from.node === from && e.to.node === to)!, depth);
    // The direct branch must hold chunk k while h1 waits for k+2 to reach it: 1 + 2 places.
    expect(capacity('src', 'join')).toBe(3);
    expect(capacity('h1', 'join')).toBe(1);
    expect(capacity('src', 'h0')).toBe(2);
  });

  it('lets everything start when pipelined, and one item in one stage at a time when sequential', () => {
    const idle = { anyBusy: false, queuesEmpty: true };
    for (const role of ['source', 'transform', 'sink'] as const) {
      expect(mayStart('pipelined', role, { anyBusy: true, queuesEmpty: false })).toBe(true);
      expect(mayStart('sequential', role, { anyBusy: true, queuesEmpty: true })).toBe(false);
      expect(mayStart('sequential', role, idle)).toBe(true);
    }
    // Chunks still queued are worked off before the source is pulled again.
    expect(mayStart('sequential', 'source', { anyBusy: false, queuesEmpty: false })).toBe(false);
    expect(mayStart('sequential', 'transform', { anyBusy: false, queuesEmpty: false })).toBe(true);
  });
});
