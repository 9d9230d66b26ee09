/**
 * Replicas asked for raise their stage's input queues at once (TransformRunner.expectHosts), so
 * that the chunks they will take are decoded and encoded while they start; lowered again for a
 * replica that could not start, never below the queue's own capacity nor the instances it has.
 */
import { EMPTY } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import type { GraphNode } from '../../src/graph/types.ts';
import { TraceRecorder } from '../../src/metrics/trace.ts';
import { InputQueue } from '../../src/runtime/input-queue.ts';
import { OutputEdges, type RunnerEnv } from '../../src/runtime/runner.ts';
import { TransformRunner } from '../../src/runtime/transform-runner.ts';
import { neighbourStage } from '../fixtures/stages/neighbour-stage.ts';

function runnerWith(queues: InputQueue[]) {
  let passes = 0;
  const env: RunnerEnv = {
    pipeline: 'p',
    trace: new TraceRecorder(),
    schedule: () => void passes++,
    fail: (err) => {
      throw err;
    },
    emit: () => {},
    fanout: new WeakMap(),
  };
  const node: GraphNode = {
    id: 'heavy',
    kind: neighbourStage.kind,
    role: 'transform',
    def: neighbourStage,
    options: {},
    models: {},
    settings: DEFAULT_NODE_SETTINGS,
  };
  const runner = new TransformRunner(node, queues, new OutputEdges(node, new Map(), env), env);
  return { runner, passes: () => passes };
}

describe('TransformRunner.expectHosts', () => {
  it('raises every input queue to the instances asked for, before they join, and asks for a pass', () => {
    const queues = [new InputQueue('heavy', 'in', 2), new InputQueue('heavy', 'features', 2)];
    const { runner, passes } = runnerWith(queues);
    runner.expectHosts(5);
    expect(queues.map((q) => q.capacity)).toEqual([5, 5]);
    expect(runner.replicas).toBe(0);
    expect(passes()).toBe(1);
  });

  it('lowers a raised queue for a replica that did not start, but never below its own capacity', () => {
    const queues = [new InputQueue('heavy', 'in', 6), new InputQueue('heavy', 'features', 2)];
    const { runner } = runnerWith(queues);
    runner.expectHosts(4);
    expect(queues.map((q) => q.capacity)).toEqual([6, 4]);
    runner.expectHosts(8);
    expect(queues.map((q) => q.capacity)).toEqual([8, 8]);
    runner.expectHosts(3);
    expect(queues.map((q) => q.capacity)).toEqual([6, 3]);
    runner.expectHosts(1);
    expect(queues.map((q) => q.capacity)).toEqual([6, 2]);
    // Three instances up: their chunks stay, whatever is asked.
    for (let i = 0; i < 3; i++) runner.addHost({ run: () => EMPTY, dispose: async () => {} });
    expect(queues.map((q) => q.capacity)).toEqual([6, 3]);
    runner.expectHosts(1);
    expect(queues.map((q) => q.capacity)).toEqual([6, 3]);
  });
});
