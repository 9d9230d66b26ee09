/**
 * `concurrency: auto`: replicas are added to the stage that measures as the bottleneck, while the
 * run goes, and the output keeps chunk order; a light stage keeps its one instance.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import { liveStageWorkers, runPipeline, type RunEvent } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { evenSpinStage, spinStage } from '../fixtures/stages/spin-stage.ts';

const AUTO = { ...DEFAULT_NODE_SETTINGS, auto: { replicas: true, threads: true } };

function graph(chunks: number, heavy = AUTO) {
  return testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks, chunkSeconds: 0.01 } },
      light: { def: spinStage, options: { spinMs: 1 }, settings: AUTO },
      heavy: { def: spinStage, options: { spinMs: 60 }, settings: heavy },
      sink: { def: collectSink, binding: 'result' },
    },
    edges: ['src.audio -> light.in', 'light.out -> heavy.in', 'heavy.out -> sink.in'],
  });
}

describe('stage replicas under concurrency: auto', () => {
  it('grows the bottleneck stage on a 5-core budget (from spare workers) and keeps chunk order', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
    const logs: string[] = [];
    const onEvent = (e: RunEvent) => void (e.type === 'budget' && logs.push(e.line));
    const result = await runPipeline(graph(50), { outDir: out, cores: 5, onEvent });
    const lines = (await readFile(join(out, 'result.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 50 }, (_, k) => `${k} ${k}`));
    const byId = Object.fromEntries(result.metrics.stages.map((s) => [s.stage, s]));
    // 4 worker cores (the fifth is the main thread's) and one instance more: heavy measures ~60×
    // light per chunk, so it gets four and light keeps one; the three spare workers started with the
    // run make its replicas quick to join.
    expect(byId.heavy.replicas).toBe(4);
    expect(byId.light.replicas).toBe(1);
    expect(byId.heavy.packets).toBe(50);
    // Its input edge grew from queue: 2 to its 4 instances (a chunk ready for each), no further.
    expect(byId.heavy.maxQueueDepth).toBe(4);
    // The replicas did work: spans on more than one heavy track.
    const tracks = new Set(result.trace.filter((e) => e.ph === 'X' && e.name.startsWith('heavy')).map((e) => e.tid));
    expect(tracks.size).toBeGreaterThan(1);
    expect(result.metrics.cores).toBe(5);
    expect(result.metrics.bottleneck).toBe('heavy');
    expect(result.metrics.budget).toMatch(
      /^5 cores: light ×1 \(1 thread, \d+ ms\/chunk\), heavy ×4 \(1 thread, \d+ ms\/chunk\)$/,
    );
    // The plan at start, then once measured (again if light's core was handed on), the last as
    // the metrics record it.
    expect(logs[0]).toBe('core budget: 5 cores: light ×1+ (1 thread), heavy ×1+ (1 thread)');
    expect(logs.length).toBeGreaterThanOrEqual(2);
    expect(logs.length).toBeLessThanOrEqual(3);
    for (const line of logs.slice(1)) expect(line).toMatch(/^core budget, measured: 5 cores: light ×1 .*heavy ×[1-4] /);
    expect(logs.at(-1)).toBe(
      `core budget, measured: ${result.metrics.budget}; memory ≤ ${Math.round(result.metrics.memoryEstimateBytes / 2 ** 20)} MiB`,
    );
    expect(liveStageWorkers()).toBe(0);
  });

  it('starts replicas of a kind of even cost while its first item runs; of another kind once it has ended', async () => {
    // When heavy's first replica took its first item, against when heavy's first item ended, ms.
    const joined = async (def: typeof spinStage) => {
      const out = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
      const g = testGraph({
        nodes: {
          src: { def: counterSource, options: { chunks: 3, chunkSeconds: 0.01 } },
          light: { def: spinStage, options: { spinMs: 1 }, settings: AUTO },
          heavy: { def, options: { spinMs: 2000 }, settings: AUTO },
          sink: { def: collectSink, binding: 'result' },
        },
        edges: ['src.audio -> light.in', 'light.out -> heavy.in', 'heavy.out -> sink.in'],
      });
      // 3 cores: few spare workers start beside the first instances on a loaded machine.
      const result = await runPipeline(g, { outDir: out, cores: 3 });
      const lines = (await readFile(join(out, 'result.txt'), 'utf8')).trim().split('\n');
      expect(lines).toEqual(Array.from({ length: 3 }, (_, k) => `${k} ${k}`));
      // No more instances than chunks, however often the plan was decided while replicas started.
      const heavy = result.metrics.stages.find((s) => s.stage === 'heavy')!;
      expect(heavy.replicas).toBeLessThanOrEqual(3);
      const track = result.trace.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'heavy#0');
      const spans = result.trace.filter((e) => e.ph === 'X' && e.name.startsWith('heavy #'));
      const first = spans.filter((e) => e.tid === track?.tid).sort((a, b) => a.ts - b.ts)[0]!;
      const replicas = spans.filter((e) => e.tid !== track?.tid);
      expect(replicas.length).toBeGreaterThan(0);
      return { replicaStart: Math.min(...replicas.map((e) => e.ts)), firstEnd: first.ts + (first.dur ?? 0) };
    };
    const even = await joined(evenSpinStage);
    expect(even.replicaStart).toBeLessThan(even.firstEnd);
    const other = await joined(spinStage);
    expect(other.replicaStart).toBeGreaterThanOrEqual(other.firstEnd);
    expect(liveStageWorkers()).toBe(0);
  });

  it('goes on without replicas that cannot start: one warning, every chunk on the first instance', async () => {
    const marker = join(await mkdtemp(join(tmpdir(), 'reel-replicas-')), 'first instance');
    const out = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
    const warnings: string[] = [];
    const onEvent = (e: RunEvent) => void (e.type === 'log' && e.level === 'warning' && warnings.push(e.line));
    const g = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 30, chunkSeconds: 0.01 } },
        light: { def: spinStage, options: { spinMs: 1 }, settings: AUTO },
        heavy: { def: spinStage, options: { spinMs: 60, onlyOne: marker }, settings: AUTO },
        sink: { def: collectSink, binding: 'result' },
      },
      edges: ['src.audio -> light.in', 'light.out -> heavy.in', 'heavy.out -> sink.in'],
    });
    const result = await runPipeline(g, { outDir: out, cores: 5, onEvent });
    const lines = (await readFile(join(out, 'result.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 30 }, (_, k) => `${k} ${k}`));
    const heavy = result.metrics.stages.find((s) => s.stage === 'heavy')!;
    expect(heavy.replicas).toBe(1);
    expect(heavy.packets).toBe(30);
    // Each replica asked for said why it could not start (the same line, said once).
    expect(warnings).toEqual(['could not add a replica: out of memory while creating the session']);
    expect(liveStageWorkers()).toBe(0);
  });

  it('adds none to a stage with explicit concurrency, nor in sequential mode', async () => {
    const fixed = { ...AUTO, concurrency: 2, auto: { replicas: false, threads: true } };
    const outA = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
    const a = await runPipeline(graph(12, fixed), { outDir: outA, cores: 8 });
    expect(a.metrics.stages.find((s) => s.stage === 'heavy')!.replicas).toBe(2);
    const outB = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
    const b = await runPipeline(graph(12), { outDir: outB, cores: 8, mode: 'sequential' });
    expect(b.metrics.stages.map((s) => s.replicas)).toEqual([1, 1, 1, 1]);
    expect(await readFile(join(outB, 'result.txt'), 'utf8')).toBe(await readFile(join(outA, 'result.txt'), 'utf8'));
    expect(liveStageWorkers()).toBe(0);
  });

  it('adds none with replicas: false (a batch with several samples in flight), but keeps an explicit count', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
    const lone = await runPipeline(graph(20), { outDir: out, cores: 5, replicas: false });
    expect(lone.metrics.stages.map((s) => s.replicas)).toEqual([1, 1, 1, 1]);
    expect(lone.metrics.budget).toBe('5 cores: light ×1 (1 thread), heavy ×1 (1 thread)');
    const fixed = { ...AUTO, concurrency: 2, auto: { replicas: false, threads: true } };
    const outFixed = await mkdtemp(join(tmpdir(), 'reel-replicas-'));
    const kept = await runPipeline(graph(12, fixed), { outDir: outFixed, cores: 5, replicas: false });
    expect(kept.metrics.stages.find((s) => s.stage === 'heavy')!.replicas).toBe(2);
    expect(liveStageWorkers()).toBe(0);
  });
});
