/**
 * Latency hiding, measured: two inference stages of similar cost (the medium reference HiFi-GAN,
 * one intra-op thread each, spinning off) in a chain, run sequentially (one stage on one chunk
 * at a time, no workers) and pipelined (a worker per stage). Prints wall times and their ratio,
 * and how long the two stages' busy spans overlapped; writes the pipelined trace for Perfetto.
 *
 *   node --import tsx scripts/bench/runtime-overlap.ts [--chunks 24] [--frames 96] [--repeat 2]
 */
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureReferenceModel } from '../../models/reference.ts';
import type { TraceEvent } from '../../src/metrics/trace.ts';
import { runPipeline, writeMetrics, writeTrace, type RunResult } from '../../src/runtime/index.ts';
import { collectSink } from '../../test/fixtures/stages/collect-sink.ts';
import { counterSource } from '../../test/fixtures/stages/counter-source.ts';
import { testGraph } from '../../test/fixtures/stages/graph.ts';
import { onnxVocoderStage } from '../../test/fixtures/stages/onnx-vocoder-stage.ts';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '24' },
    frames: { type: 'string', default: '96' },
    repeat: { type: 'string', default: '2' },
  },
});
const chunks = Number(values.chunks);
const frames = Number(values.frames);
const repeat = Number(values.repeat);

/** Time before the first chunk span began (instances created, workers started), ms. */
function startupMs(trace: readonly TraceEvent[]): number {
  return Math.min(...trace.filter((e) => e.ph === 'X').map((e) => e.ts)) / 1000;
}

/** Span of chunk work, ms: first span start to last span end (excludes session creation). */
function processingMs(trace: readonly TraceEvent[]): number {
  const spans = trace.filter((e) => e.ph === 'X');
  return (Math.max(...spans.map((e) => e.ts + e.dur!)) - Math.min(...spans.map((e) => e.ts))) / 1000;
}

function overlapMs(trace: readonly TraceEvent[], a: string, b: string): number {
  const tid = (name: string) =>
    trace.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === name)!.tid;
  const spans = (t: number) => trace.filter((e) => e.ph === 'X' && e.tid === t);
  let total = 0;
  for (const x of spans(tid(a)))
    for (const y of spans(tid(b))) total += Math.max(0, Math.min(x.ts + x.dur!, y.ts + y.dur!) - Math.max(x.ts, y.ts));
  return total / 1000;
}

const model = await ensureReferenceModel('hifigan', 'medium');
const vocoder = {
  def: onnxVocoderStage,
  options: { frames },
  models: { model },
  settings: { threads: { intraOp: 1, interOp: 1, spinning: false } },
};
const graph = testGraph({
  name: 'overlap-bench',
  nodes: {
    src: { def: counterSource, options: { chunks, chunkSeconds: 1 } },
    a: vocoder,
    b: vocoder,
    sink: { def: collectSink, binding: 'out' },
  },
  edges: ['src.audio -> a.in', 'a.out -> b.in', 'b.out -> sink.in'],
});
const outDir = await mkdtemp(join(tmpdir(), 'reel-bench-overlap-'));
const best: Record<string, RunResult> = {};
for (let i = 0; i < repeat; i++) {
  for (const mode of ['sequential', 'pipelined'] as const) {
    const result = await runPipeline(graph, { outDir, mode });
    const ms = processingMs(result.trace);
    console.log(
      `${mode.padEnd(10)} run ${i + 1}: wall ${result.metrics.wallMs.toFixed(0)} ms, chunk processing ${ms.toFixed(0)} ms`,
    );
    if (!best[mode] || processingMs(best[mode].trace) > ms) best[mode] = result;
  }
}
const seq = best.sequential;
const pipe = best.pipelined;
const report = {
  chunks,
  framesPerRun: frames,
  perRunMs: {
    a: seq.metrics.stages.find((s) => s.stage === 'a')!.latencyP50Ms,
    b: seq.metrics.stages.find((s) => s.stage === 'b')!.latencyP50Ms,
  },
  sequential: { wallMs: seq.metrics.wallMs, startupMs: startupMs(seq.trace), processingMs: processingMs(seq.trace) },
  pipelined: {
    wallMs: pipe.metrics.wallMs,
    startupMs: startupMs(pipe.trace),
    processingMs: processingMs(pipe.trace),
    overlapMs: overlapMs(pipe.trace, 'a', 'b'),
  },
  ratioProcessing: processingMs(pipe.trace) / processingMs(seq.trace),
  ratioWall: pipe.metrics.wallMs / seq.metrics.wallMs,
};
console.log(JSON.stringify(report, null, 2));
const dir = join(tmpdir(), 'reel-bench');
await mkdir(dir, { recursive: true });
await writeTrace(join(dir, 'overlap-trace.json'), pipe.trace);
await writeMetrics(join(dir, 'overlap-metrics.json'), pipe.metrics);
console.log(`trace: ${join(dir, 'overlap-trace.json')}  metrics: ${join(dir, 'overlap-metrics.json')}`);
