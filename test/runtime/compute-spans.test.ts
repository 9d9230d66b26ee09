/**
 * Issue 11's acceptance for the contract itself: trace spans and busyMs are compute only. In
 * sequential mode the spans sum to at most the wall time; a stage's spans overlap only across its
 * instances (concurrency > 1, one track each); a generator's wait for room and a stage's wait for
 * its neighbours show as figures of their own.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../src/metrics/trace.ts';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { delayStage } from '../fixtures/stages/delay-stage.ts';
import { generatorStage } from '../fixtures/stages/generator-stage.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { neighbourStage } from '../fixtures/stages/neighbour-stage.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';
import { textFixtureSource } from '../fixtures/stages/text-fixture-source.ts';

const outDir = () => mkdtemp(join(tmpdir(), 'reel-spans-'));

async function script(): Promise<string> {
  const file = join(await outDir(), 'script.txt');
  await writeFile(file, 'anything');
  return file;
}

/** Work spans by track name, [start, end] in µs. */
function spansByTrack(trace: readonly TraceEvent[]): Map<string, [number, number][]> {
  const names = new Map(
    trace.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => [e.tid, String(e.args!.name)]),
  );
  const tracks = new Map<string, [number, number][]>();
  for (const e of trace) {
    if (e.ph !== 'X' || e.cat !== 'chunk') continue;
    const name = names.get(e.tid)!;
    tracks.set(name, [...(tracks.get(name) ?? []), [e.ts, e.ts + e.dur!]]);
  }
  return tracks;
}

/** µs during which two spans of the lists ran at once (a list against itself: its self-overlap). */
function overlap(a: [number, number][], b: [number, number][]): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = a === b ? i + 1 : 0; j < b.length; j++)
      total += Math.max(0, Math.min(a[i][1], b[j][1]) - Math.max(a[i][0], b[j][0]));
  }
  return total;
}

describe('trace spans and busyMs are compute only', () => {
  it('in sequential mode, the spans of every stage sum to at most the wall time', async () => {
    // A generator that parks between chunks, a stage held for its neighbour, a main-thread wait
    // and a busy stage: none of their waiting may count as work.
    const graph = testGraph({
      nodes: {
        script: { def: textFixtureSource, binding: 'script' },
        tts: { def: generatorStage, options: { chunks: 12, spinMs: 2 } },
        nb: { def: neighbourStage },
        io: { def: delayStage, options: { delayMs: 3 } },
        busy: { def: spinStage, options: { spinMs: 3 } },
        sink: { def: collectSink, binding: 'out' },
      },
      edges: [
        'script.text -> tts.text',
        'tts.audio -> nb.in',
        'nb.out -> io.in',
        'io.out -> busy.in',
        'busy.out -> sink.in',
      ],
    });
    const result = await runPipeline(graph, {
      inputs: { script: await script() },
      outDir: await outDir(),
      mode: 'sequential',
    });
    const spans = [...spansByTrack(result.trace).values()].flat().sort((x, y) => x[0] - y[0]);
    // No two spans overlap (1 µs of rounding aside): one stage works at a time, parked ones do not count.
    for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1] - 1);
    const sumMs = spans.reduce((sum, [s, e]) => sum + e - s, 0) / 1000;
    expect(spans.length).toBeGreaterThan(12 * 4);
    expect(sumMs).toBeLessThanOrEqual(result.metrics.wallMs);
    const busy = result.metrics.stages.reduce((sum, s) => sum + s.busyMs, 0);
    expect(busy).toBeLessThanOrEqual(result.metrics.wallMs);
  });

  it('keeps one instance’s spans apart, and puts two instances on tracks of their own that overlap', async () => {
    const run = async (concurrency: number) => {
      const graph = testGraph({
        nodes: {
          src: { def: counterSource, options: { chunks: 12, chunkSeconds: 0.01 } },
          a: { def: spinStage, options: { spinMs: 20 }, settings: { concurrency, queue: 2 } },
          sink: { def: collectSink, binding: 'out' },
        },
        edges: ['src.audio -> a.in', 'a.out -> sink.in'],
      });
      return spansByTrack((await runPipeline(graph, { outDir: await outDir() })).trace);
    };
    const one = await run(1);
    expect(one.get('a')).toHaveLength(12);
    expect(overlap(one.get('a')!, one.get('a')!)).toBe(0);
    const two = await run(2);
    const [a0, a1] = [two.get('a#0')!, two.get('a#1')!];
    expect(two.has('a')).toBe(false);
    expect(a0.length + a1.length).toBe(12);
    expect(overlap(a0, a0)).toBe(0);
    expect(overlap(a1, a1)).toBe(0);
    expect(overlap(a0, a1)).toBeGreaterThan(3 * 20_000);
  });

  it.each([
    ['in a worker', true],
    ['in the main thread', false],
  ])('%s: a generator’s wait for room shows as blockedOutputMs, not busyMs', async (_name, workers) => {
    const graph = testGraph({
      nodes: {
        script: { def: textFixtureSource, binding: 'script' },
        tts: { def: generatorStage, options: { chunks: 20, spinMs: 2 } },
        slow: { def: delayStage, options: { delayMs: 10 }, settings: { queue: 2 } },
        sink: { def: collectSink, binding: 'out' },
      },
      edges: ['script.text -> tts.text', 'tts.audio -> slow.in', 'slow.out -> sink.in'],
    });
    const result = await runPipeline(graph, { inputs: { script: await script() }, outDir: await outDir(), workers });
    const tts = result.metrics.stages.find((s) => s.stage === 'tts')!;
    // 20 chunks × 2 ms of work; the rest of the ~200 ms it waited for the slow consumer (counted
    // as work, busyMs would be ~240 ms; a loaded 2-core machine has stretched the work to 107 ms).
    expect(tts.busyMs).toBeGreaterThanOrEqual(20 * 2 * 0.9);
    expect(tts.busyMs).toBeLessThan(150);
    expect(tts.blockedOutputMs).toBeGreaterThan(100);
    // Its spans are the stretches of work between waits: none overlaps another.
    const spans = spansByTrack(result.trace).get('tts')!;
    expect(spans.length).toBeGreaterThan(1);
    expect(overlap(spans, spans)).toBe(0);
  });

  it('shows the wait for a neighbour as waitNeighboursMs, and a plain wait for input as waitInputMs', async () => {
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 10, chunkSeconds: 0.01 } },
        slow: { def: delayStage, options: { delayMs: 20 } },
        nb: { def: neighbourStage },
        plain: { def: delayStage, options: { delayMs: 0 } },
        nbSink: { def: collectSink, binding: 'nb' },
        plainSink: { def: collectSink, binding: 'plain' },
      },
      edges: [
        'src.audio -> slow.in',
        'slow.out -> nb.in',
        'slow.out -> plain.in',
        'nb.out -> nbSink.in',
        'plain.out -> plainSink.in',
      ],
    });
    const { metrics } = await runPipeline(graph, { outDir: await outDir() });
    const stage = (id: string) => metrics.stages.find((s) => s.stage === id)!;
    // nb holds chunk k until slow delivers k+1, ~20 ms each time.
    expect(stage('nb').waitNeighboursMs).toBeGreaterThan(100);
    expect(stage('nb').busyMs).toBeLessThan(50);
    expect(stage('plain').waitNeighboursMs).toBe(0);
    expect(stage('plain').waitInputMs).toBeGreaterThan(100);
  });
});
