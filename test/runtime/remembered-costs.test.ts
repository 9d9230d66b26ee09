/**
 * A run that remembers its stages' costs (RunOptions.costMemory): the next run of the same stages
 * on inputs of the same format starts the replicas the costs call for before any chunk is done;
 * another format, another core budget, or a clip too short for a replica to pay, starts none.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import { CostMemory } from '../../src/runtime/cost-memory.ts';
import { liveStageWorkers, runPipeline, type RunEvent } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

const AUTO = { ...DEFAULT_NODE_SETTINGS, auto: { replicas: true, threads: true } };

function graph(chunks: number, format: string) {
  return testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks, chunkSeconds: 1, announce: true, format } },
      light: { def: spinStage, options: { spinMs: 1 }, settings: AUTO },
      heavy: { def: spinStage, options: { spinMs: 150 }, settings: AUTO },
      sink: { def: collectSink, binding: 'result' },
    },
    edges: ['src.audio -> light.in', 'light.out -> heavy.in', 'heavy.out -> sink.in'],
  });
}

/** Runs on a budget of `cores` (5); returns the budget lines, whether one came before any chunk, the metrics and the output. */
async function run(chunks: number, format: string, costMemory: CostMemory, cores = 5) {
  const out = await mkdtemp(join(tmpdir(), 'reel-remembered-'));
  const events: RunEvent[] = [];
  const result = await runPipeline(graph(chunks, format), {
    outDir: out,
    cores,
    costMemory,
    onEvent: (e) => void events.push(e),
  });
  const firstChunk = events.findIndex((e) => e.type === 'chunk');
  const lines = events.flatMap((e, i) => (e.type === 'budget' ? [{ line: e.line, beforeChunks: i < firstChunk }] : []));
  const replicas = Object.fromEntries(result.metrics.stages.map((s) => [s.stage, s.replicas]));
  return { lines, replicas, output: await readFile(join(out, 'result.txt'), 'utf8') };
}

describe('remembered stage costs', () => {
  it('plan the next run of the same stages at its start, no further than the instances they had', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'reel-costs-')), 'stage-costs.json');
    // A short clip grows nothing (its work would not outlast a worker's start) but measures both.
    const first = await run(4, 'A', await CostMemory.open(file));
    expect(first.replicas).toMatchObject({ light: 1, heavy: 1 });
    type Saved = { version: number; stages: Record<string, { msPerItem: number; replicas: number; usedAt: number }> };
    const saved = JSON.parse(await readFile(file, 'utf8')) as Saved;
    const entries = Object.values(saved.stages);
    // One entry per growable stage: light (~1 ms an item) and heavy (~150 ms), each with its one instance.
    expect(entries).toHaveLength(2);
    const [light, heavy] = entries.sort((a, b) => a.msPerItem - b.msPerItem);
    expect(light.msPerItem).toBeLessThan(20);
    expect(heavy.msPerItem).toBeGreaterThanOrEqual(145);
    expect(entries.map((e) => e.replicas)).toEqual([1, 1]);

    // As if a run had ended with heavy ×3: a long clip of the same format starts heavy with 3
    // instances, before any chunk is done — not the 4 its cost alone would get on 5 cores, since
    // this run's memory is not measured yet.
    heavy.replicas = 3;
    await writeFile(file, JSON.stringify(saved));
    const second = await run(60, 'A', await CostMemory.open(file));
    expect(second.lines[0]?.line).toBe('core budget: 5 cores: light ×1+ (1 thread), heavy ×1+ (1 thread)');
    const remembered = second.lines.find((l) => l.line.startsWith('core budget, remembered'));
    expect(remembered?.line).toMatch(
      /^core budget, remembered: 5 cores: light ×1 \(1 thread, \d+ ms\/chunk\), heavy ×3 /,
    );
    expect(remembered?.beforeChunks).toBe(true);
    // Once every stage has run two items, the plan again with its measured memory.
    expect(second.lines.at(-1)?.line).toMatch(/^core budget, measured: 5 cores: .*; memory ≤ \d+ MiB$/);
    expect(second.replicas.heavy).toBeGreaterThanOrEqual(3);
    expect(second.output.trim().split('\n')).toEqual(Array.from({ length: 60 }, (_, k) => `${k} ${k}`));

    // A clip known to be two chunks long: a replica would not pay, remembered or not.
    const short = await run(2, 'A', await CostMemory.open(file));
    expect(short.lines.some((l) => l.line.startsWith('core budget, remembered'))).toBe(false);
    expect(short.replicas).toMatchObject({ light: 1, heavy: 1 });

    // Inputs of another format (another frame size, another rate) are not the same costs: nothing
    // is recalled, and they are remembered apart.
    const other = await run(4, 'B', await CostMemory.open(file));
    expect(other.lines.some((l) => l.line.startsWith('core budget, remembered'))).toBe(false);
    expect(Object.keys((JSON.parse(await readFile(file, 'utf8')) as Saved).stages)).toHaveLength(4);
    // Nor are the same inputs on another core budget (the instances remembered were planned for 5):
    // they are remembered apart.
    await run(4, 'A', await CostMemory.open(file), 3);
    expect(Object.keys((JSON.parse(await readFile(file, 'utf8')) as Saved).stages)).toHaveLength(6);
    expect(liveStageWorkers()).toBe(0);
  });
});
