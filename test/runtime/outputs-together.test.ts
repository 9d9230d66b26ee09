/**
 * Outputs appear together or not at all: a run whose second output fails after its first output
 * finished leaves neither; a run that succeeds commits both.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/index.ts';
import { wavSink } from '../../stages/media/sinks.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { failAtEndStage } from '../fixtures/stages/fail-at-end-stage.ts';

const graph = (fail: boolean) =>
  testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks: 6, chunkSeconds: 0.05 } },
      slow: { def: failAtEndStage, options: { delayMs: 300, fail } },
      quick: { def: wavSink, binding: 'quick' },
      late: { def: wavSink, binding: 'late' },
    },
    edges: ['src.audio -> quick.audio', 'src.audio -> slow.in', 'slow.out -> late.audio'],
  });

describe('outputs of one run', () => {
  it('a failure after one output finished leaves no output at all', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'reel-together-'));
    const seen: string[][] = [];
    const watch = setInterval(() => void readdir(out).then((f) => seen.push(f)), 20);
    const err = await runPipeline(graph(true), { outDir: out, workers: false }).catch((e) => e);
    clearInterval(watch);
    expect(String(err)).toContain('failed after the last chunk');
    // The first output had finished (its complete file sat under a temp name) before the failure…
    expect(seen.some((files) => files.some((f) => f.startsWith('.quick.wav.') && f.endsWith('.partial')))).toBe(true);
    // …and nothing is left under a final name, nor as a temp file.
    expect(await readdir(out)).toEqual([]);
  });

  it('a run that succeeds commits every output', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'reel-together-'));
    const result = await runPipeline(graph(false), { outDir: out, workers: false });
    expect((await readdir(out)).sort()).toEqual(['late.wav', 'quick.wav']);
    expect(Object.keys(result.files).sort()).toEqual(['late', 'quick']);
  });
});
