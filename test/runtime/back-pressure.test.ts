import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { delayStage } from '../fixtures/stages/delay-stage.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { probe } from '../fixtures/stages/probes.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

let probes = 0;

/** A fast source feeding a slow stage; returns the probe that counted chunks in flight between them. */
async function fastIntoSlow(chunks: number, queue: number, concurrency: number) {
  const id = `bp-${probes++}`;
  const graph = testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks, chunkSeconds: 0.05, probe: id } },
      slow: { def: delayStage, options: { delayMs: 1, probe: id }, settings: { queue, concurrency } },
      sink: { def: collectSink, binding: 'out' },
    },
    edges: ['src.audio -> slow.in', 'slow.out -> sink.in'],
  });
  const result = await runPipeline(graph, { outDir: await mkdtemp(join(tmpdir(), 'reel-bp-')) });
  return { probe: probe(id), result };
}

describe('back-pressure', () => {
  it.each([
    [1, 1],
    [2, 1],
    [3, 2],
  ])('keeps at most queue + concurrency chunks outstanding (queue %i, concurrency %i)', async (queue, concurrency) => {
    const { probe: p, result } = await fastIntoSlow(80, queue, concurrency);
    expect(p.pulled).toBe(80);
    expect(p.finished).toBe(80);
    expect(p.maxOutstanding).toBeLessThanOrEqual(queue + concurrency);
    // The slow stage was kept fed: the bound is reached, not undershot by a stalled source.
    expect(p.maxOutstanding).toBeGreaterThanOrEqual(queue);
    const slow = result.metrics.stages.find((s) => s.stage === 'slow')!;
    expect(slow.maxQueueDepth).toBeLessThanOrEqual(queue);
    expect(slow.packets).toBe(80);
  });

  it('holds the same bytes in flight for a clip ten times longer', async () => {
    const short = await fastIntoSlow(40, 2, 1);
    const long = await fastIntoSlow(400, 2, 1);
    const chunkBytes = 0.05 * 16000 * 4;
    expect(long.probe.maxOutstandingBytes).toBe(short.probe.maxOutstandingBytes);
    expect(long.probe.maxOutstandingBytes).toBeLessThanOrEqual((2 + 1) * chunkBytes);
    // The source waited on the full edge most of the time rather than running ahead.
    const src = long.result.metrics.stages.find((s) => s.stage === 'src')!;
    expect(src.blockedOutputMs).toBeGreaterThan(0);
  });

  it('bounds chunks outstanding before a slow stage hosted in two workers', async () => {
    const id = 'bp-workers';
    let done = 0;
    let maxOutstanding = 0;
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 40, chunkSeconds: 0.05, probe: id } },
        slow: { def: spinStage, options: { spinMs: 4 }, settings: { queue: 2, concurrency: 2 } },
        sink: { def: collectSink, binding: 'out' },
      },
      edges: ['src.audio -> slow.in', 'slow.out -> sink.in'],
    });
    await runPipeline(graph, {
      outDir: await mkdtemp(join(tmpdir(), 'reel-bp-')),
      onEvent: (e) => {
        if (e.type !== 'chunk' || e.stage !== 'slow') return;
        maxOutstanding = Math.max(maxOutstanding, probe(id).pulled - done);
        done++;
      },
    });
    expect(done).toBe(40);
    expect(maxOutstanding).toBeLessThanOrEqual(2 + 2);
    expect(maxOutstanding).toBeGreaterThanOrEqual(2);
  });
});
