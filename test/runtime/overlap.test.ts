import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/metrics/trace.ts';
import { liveStageWorkers, runPipeline, writeTrace } from '../../src/runtime/index.ts';
import { ensureReferenceModel } from '../../models/reference.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { onnxVocoderStage } from '../fixtures/stages/onnx-vocoder-stage.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

/** Total time, µs, during which a span of track `a` and a span of track `b` both ran. */
function overlapMicros(trace: readonly TraceEvent[], a: string, b: string): number {
  const tid = (name: string) =>
    trace.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name)!.tid;
  const spans = (t: number) =>
    trace.filter((e) => e.ph === 'X' && e.tid === t).map((e) => [e.ts, e.ts + e.dur!] as const);
  let total = 0;
  for (const [s1, e1] of spans(tid(a)))
    for (const [s2, e2] of spans(tid(b))) total += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return total;
}

describe('latency hiding', () => {
  it('runs two busy worker stages on successive chunks at the same time', async () => {
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 8, chunkSeconds: 0.01 } },
        a: { def: spinStage, options: { spinMs: 25 } },
        b: { def: spinStage, options: { spinMs: 25 } },
        sink: { def: collectSink, binding: 'out' },
      },
      edges: ['src.audio -> a.in', 'a.out -> b.in', 'b.out -> sink.in'],
    });
    const out = await mkdtemp(join(tmpdir(), 'reel-overlap-'));
    const pipelined = await runPipeline(graph, { outDir: out });
    const sequential = await runPipeline(graph, { outDir: out, mode: 'sequential' });
    // Busy spans of a and b overlap in the pipelined run (a on chunk k+1 while b on chunk k) …
    expect(overlapMicros(pipelined.trace, 'a', 'b')).toBeGreaterThan(3 * 25_000);
    // … and never in the sequential baseline.
    expect(overlapMicros(sequential.trace, 'a', 'b')).toBe(0);
    // The trace file is the Chrome trace-event format Perfetto opens.
    await writeTrace(join(out, 'trace.json'), pipelined.trace);
    const written = JSON.parse(await readFile(join(out, 'trace.json'), 'utf8'));
    expect(written.traceEvents.filter((e: TraceEvent) => e.ph === 'X' && e.name.startsWith('b #'))).toHaveLength(8);
  });

  it('overlaps two real ONNX sessions, each in its own worker', async () => {
    const model = await ensureReferenceModel('hifigan', 'tiny');
    const vocoder = { def: onnxVocoderStage, options: { frames: 64 }, models: { model } };
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 10, chunkSeconds: 0.01 } },
        a: vocoder,
        b: vocoder,
        sink: { def: collectSink, binding: 'out' },
      },
      edges: ['src.audio -> a.in', 'a.out -> b.in', 'b.out -> sink.in'],
    });
    const out = await mkdtemp(join(tmpdir(), 'reel-overlap-'));
    const result = await runPipeline(graph, { outDir: out });
    const lines = (await readFile(join(out, 'out.txt'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => Number(l.split(' ')[0]))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(overlapMicros(result.trace, 'a', 'b')).toBeGreaterThan(0);
    expect(result.metrics.stages.find((s) => s.stage === 'b')!.packets).toBe(10);
    expect(liveStageWorkers()).toBe(0);
  });
});
