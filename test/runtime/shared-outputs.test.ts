/**
 * Which outputs a stage's worker makes in shared memory: those the main thread would otherwise
 * post more than once — to a worker stage that takes neighbouring chunks, or to a worker stage
 * beside another consumer — and no others.
 */
import { describe, expect, it } from 'vitest';
import { defineTransform } from '../../src/core/stage.ts';
import { postedMoreThanOnce } from '../../src/runtime/shared-outputs.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph, type TestNode } from '../fixtures/stages/graph.ts';
import { neighbourStage } from '../fixtures/stages/neighbour-stage.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

/** A worker kind whose items hold the chunk before and after (as RVC's converter's do). */
const workerWithNeighbours = defineTransform({
  ...spinStage,
  kind: 'test-spin-neighbours',
  item: { neighbours: { before: 1, after: 1 } },
});

/** src → a (a worker stage) → each of `consumers`; the ports of a made in shared memory. */
function sharedOf(consumers: TestNode[]): string[] {
  const nodes: Record<string, TestNode> = { src: { def: counterSource }, a: { def: spinStage } };
  const edges = ['src.audio -> a.in'];
  consumers.forEach((node, i) => {
    nodes[`c${i}`] = node;
    edges.push(`a.out -> c${i}.in`);
  });
  return postedMoreThanOnce(testGraph({ nodes, edges }), 'a');
}

describe('outputs made in shared memory', () => {
  it('go to a worker stage that takes neighbouring chunks', () => {
    expect(sharedOf([{ def: workerWithNeighbours }])).toEqual(['out']);
  });

  it('go to a worker stage beside another consumer', () => {
    expect(sharedOf([{ def: spinStage }, { def: collectSink, binding: 'result' }])).toEqual(['out']);
  });

  it('not: one worker stage without neighbours, or consumers on the main thread only', () => {
    expect(sharedOf([{ def: spinStage }])).toEqual([]);
    expect(sharedOf([{ def: neighbourStage }])).toEqual([]);
    expect(sharedOf([{ def: neighbourStage }, { def: collectSink, binding: 'result' }])).toEqual([]);
  });
});
