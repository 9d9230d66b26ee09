/**
 * Per-hop engine overhead: a packet through a no-op stage hosted in a worker (post with transfer
 * list → operator → post back → release in order), and through a no-op main-thread stage.
 * Reports the round trip per hop (median chunk latency inside the stage) and the throughput cost
 * per hop (extra wall time per chunk per added stage, from a chain of 1 to one of 4 stages).
 *
 *   node --import tsx scripts/bench/runtime-hop.ts [--chunks 3000] [--samples 1024]
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StageDefinition } from '../../src/core/stage.ts';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../../test/fixtures/stages/collect-sink.ts';
import { counterSource } from '../../test/fixtures/stages/counter-source.ts';
import { delayStage } from '../../test/fixtures/stages/delay-stage.ts';
import { testGraph, type TestNode } from '../../test/fixtures/stages/graph.ts';
import { spinStage } from '../../test/fixtures/stages/spin-stage.ts';

const { values } = parseArgs({
  options: { chunks: { type: 'string', default: '3000' }, samples: { type: 'string', default: '1024' } },
});
const chunks = Number(values.chunks);
const chunkSeconds = Number(values.samples) / 16000;

/** Chunk processing time of a chain of `hops` no-op stages of `def`, µs per chunk. */
async function chain(def: StageDefinition, options: Record<string, unknown>, hops: number) {
  const nodes: Record<string, TestNode> = { src: { def: counterSource, options: { chunks, chunkSeconds } } };
  const edges: string[] = [];
  let prev = 'src.audio';
  for (let i = 0; i < hops; i++) {
    nodes[`s${i}`] = { def, options, settings: { queue: 4 } };
    edges.push(`${prev} -> s${i}.in`);
    prev = `s${i}.out`;
  }
  nodes.sink = { def: collectSink, binding: 'out' };
  edges.push(`${prev} -> sink.in`);
  const result = await runPipeline(testGraph({ nodes, edges }), { outDir: await mkdtemp(join(tmpdir(), 'reel-hop-')) });
  const spans = result.trace.filter((e) => e.ph === 'X');
  const processingUs = Math.max(...spans.map((e) => e.ts + e.dur!)) - Math.min(...spans.map((e) => e.ts));
  const roundTrip = result.metrics.stages.filter((s) => s.stage.startsWith('s')).map((s) => s.latencyP50Ms * 1000);
  return {
    perChunkUs: processingUs / chunks,
    roundTripUs: roundTrip.reduce((a, b) => a + b, 0) / Math.max(1, roundTrip.length),
  };
}

const report: Record<string, unknown> = { chunks, samplesPerChunk: Number(values.samples) };
const base = await chain(spinStage, {}, 0);
report.noStagesUsPerChunk = base.perChunkUs;
for (const [name, def, options] of [
  ['worker', spinStage, { spinMs: 0 }],
  ['main-thread', delayStage, { delayMs: 0 }],
] as const) {
  const one = await chain(def, options, 1);
  const four = await chain(def, options, 4);
  report[name] = {
    roundTripUsPerHop: Math.round(four.roundTripUs),
    usPerChunk1Hop: Math.round(one.perChunkUs),
    usPerChunk4Hops: Math.round(four.perChunkUs),
    // Cost of each added hop once the chain is pipelined (1 → 4 stages).
    throughputUsPerHop: Math.round((four.perChunkUs - one.perChunkUs) / 3),
  };
}
console.log(JSON.stringify(report, null, 2));
