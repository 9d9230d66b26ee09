import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveStageWorkers, runPipeline, writeMetrics } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { delayStage } from '../fixtures/stages/delay-stage.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

async function outDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'reel-runtime-test-'));
}

function linesOf(text: string): Array<[number, number]> {
  return text
    .trim()
    .split('\n')
    .map((line) => line.split(' ').map(Number) as [number, number]);
}

describe('runPipeline', () => {
  it('runs source → transform → worker stage → sink and writes every chunk in order', async () => {
    const out = await outDir();
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 12, chunkSeconds: 0.01 }, binding: 'voice' },
        slow: { def: delayStage, options: { delayMs: 2 } },
        // Uneven per-chunk cost over 3 instances: chunks finish out of order and are put back.
        // 10 ms steps: wide enough that a loaded machine's scheduling cannot put them back in order.
        infer: { def: spinStage, options: { spinMs: 10, vary: true }, settings: { concurrency: 3, queue: 3 } },
        sink: { def: collectSink, binding: 'result' },
      },
      edges: ['src.audio -> slow.in', 'slow.out -> infer.in', 'infer.out -> sink.in'],
    });
    const result = await runPipeline(graph, { outDir: out });
    expect(result.files.result).toEqual([join(out, 'result.txt')]);
    const lines = linesOf(await readFile(join(out, 'result.txt'), 'utf8'));
    expect(lines).toEqual(Array.from({ length: 12 }, (_, k) => [k, k]));
    const infer = result.metrics.stages.find((s) => s.stage === 'infer')!;
    expect(infer.packets).toBe(12);
    expect(infer.busyMs).toBeGreaterThan(0.9 * 10 * [...Array(12).keys()].reduce((sum, k) => sum + ((7 * k) % 5), 0));
    const inferSpans = result.trace.filter((e) => e.ph === 'X' && e.name.startsWith('infer'));
    expect(inferSpans).toHaveLength(12);
    // Instances did finish out of order (so the in-order file above is the runtime's doing).
    const finishOrder = [...inferSpans]
      .sort((a, b) => a.ts + a.dur! - (b.ts + b.dur!))
      .map((e) => e.args!.chunk as number);
    expect(finishOrder).not.toEqual([...finishOrder].sort((a, b) => a - b));
    expect(liveStageWorkers()).toBe(0);
    expect(await readdir(out)).toEqual(['result.txt']);
  });

  it('runs the same graph sequentially, one stage on one chunk at a time', async () => {
    const out = await outDir();
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 6, chunkSeconds: 0.01 } },
        a: { def: spinStage, options: { spinMs: 3 } },
        b: { def: delayStage, options: { delayMs: 3 } },
        sink: { def: collectSink, binding: 'result' },
      },
      edges: ['src.audio -> a.in', 'a.out -> b.in', 'b.out -> sink.in'],
    });
    const result = await runPipeline(graph, { outDir: out, mode: 'sequential' });
    expect(linesOf(await readFile(join(out, 'result.txt'), 'utf8')).map(([k]) => k)).toEqual([0, 1, 2, 3, 4, 5]);
    // No two spans of the trace overlap: the baseline really is sequential.
    const spans = result.trace.filter((e) => e.ph === 'X').sort((x, y) => x.ts - y.ts);
    for (let i = 1; i < spans.length; i++)
      expect(spans[i].ts).toBeGreaterThanOrEqual(spans[i - 1].ts + spans[i - 1].dur! - 1);
    expect(result.metrics.mode).toBe('sequential');
  });

  it('measures waiting for input, blocking on output and latency per stage, and writes them', async () => {
    const out = await outDir();
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 10, chunkSeconds: 0.01 } },
        slow: { def: delayStage, options: { delayMs: 20 } },
        fast: { def: delayStage, options: { delayMs: 1 } },
        sink: { def: collectSink, binding: 'result' },
      },
      edges: ['src.audio -> slow.in', 'slow.out -> fast.in', 'fast.out -> sink.in'],
    });
    const { metrics } = await runPipeline(graph, { outDir: out });
    const stage = (id: string) => metrics.stages.find((s) => s.stage === id)!;
    // The source spends most of the run blocked on the slow stage's full queue …
    expect(stage('src').blockedOutputMs).toBeGreaterThan(100);
    // … and the fast stage most of it starved, waiting for the slow one.
    expect(stage('fast').waitInputMs).toBeGreaterThan(100);
    expect(stage('slow').latencyP50Ms).toBeGreaterThanOrEqual(19);
    expect(stage('slow').latencyP95Ms).toBeGreaterThanOrEqual(stage('slow').latencyP50Ms);
    expect(stage('slow').busyMs).toBeGreaterThanOrEqual(10 * 19);
    await writeMetrics(join(out, 'metrics.json'), metrics);
    const written = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(written.stages.map((s: { stage: string }) => s.stage)).toEqual(['src', 'slow', 'fast', 'sink']);
    expect(written.peakRssBytes).toBeGreaterThan(0);
    // The process's exact peak (getrusage, in bytes) is never below a sample of the run's RSS.
    expect(written.processPeakRssBytes).toBeGreaterThanOrEqual(written.peakRssBytes);
    expect(written.processPeakRssBytes).toBeLessThan(64 * 2 ** 30);
  });
});
