/**
 * A worker kind's `createIn`: its worker threads take `create` from the module it names and never
 * load the definition (with its options schema and zod: ~50 ms of each worker's start), and a kind
 * that gives no `create` has that one in the main thread too; a name the module does not export
 * fails the run with a line naming both. Every built-in worker kind names one that exists.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moduleExport } from '../../src/core/module-export.ts';
import type { TransformDefinition } from '../../src/core/stage.ts';
import { runPipeline, type RunEvent } from '../../src/runtime/index.ts';
import { STAGE_KINDS } from '../../stages/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { createInMissing, createInStage } from '../fixtures/stages/create-in-stage.ts';
import { testGraph } from '../fixtures/stages/graph.ts';

function graph(def: TransformDefinition) {
  return testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks: 4, chunkSeconds: 1 } },
      pass: { def },
      sink: { def: collectSink, binding: 'result' },
    },
    edges: ['src.audio -> pass.in', 'pass.out -> sink.in'],
  });
}

describe('createIn', () => {
  it('gives a worker its create without loading the definition (which throws in a worker)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-create-in-'));
    const events: RunEvent[] = [];
    await runPipeline(graph(createInStage), { outDir: out, onEvent: (e) => void events.push(e) });
    const lines = events.flatMap((e) => (e.type === 'log' && e.stage === 'pass' ? [e.line] : []));
    expect(lines).toEqual([expect.stringMatching(/^instance on worker thread \d+$/)]);
    expect((await readFile(join(out, 'result.txt'), 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('is the create of a kind that gives none, in the main thread too (a sequential run)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-create-in-'));
    const events: RunEvent[] = [];
    await runPipeline(graph(createInStage), { outDir: out, mode: 'sequential', onEvent: (e) => void events.push(e) });
    const lines = events.flatMap((e) => (e.type === 'log' && e.stage === 'pass' ? [e.line] : []));
    expect(lines).toEqual(['instance on the main thread']);
    expect((await readFile(join(out, 'result.txt'), 'utf8')).trim().split('\n')).toHaveLength(4);
  });

  it('fails the run, naming the module and the export, when the module lacks it', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-create-in-'));
    await expect(runPipeline(graph(createInMissing), { outDir: out })).rejects.toThrow(
      /pass-instance\.ts exports no function "createNothing" \(the createIn of stage kind "test-create-in-missing"\)/,
    );
  });

  it('names the module beside the caller with the caller’s extension', () => {
    expect(moduleExport('file:///r/stages/gain/index.ts', './stage', 'createGain')).toEqual({
      url: 'file:///r/stages/gain/stage.ts',
      name: 'createGain',
    });
    expect(moduleExport('file:///r/dist/stages/gain/index.js', './stage', 'f').url).toBe(
      'file:///r/dist/stages/gain/stage.js',
    );
    // Written with its extension, it keeps it.
    expect(moduleExport('file:///r/kinds/gain.ts', './gain-work.mjs', 'f').url).toBe('file:///r/kinds/gain-work.mjs');
  });

  it('of every built-in worker kind names a function its module exports (its create everywhere)', async () => {
    const workers = Object.values(STAGE_KINDS).filter(
      (def): def is TransformDefinition => def.role === 'transform' && def.thread === 'worker',
    );
    expect(workers.length).toBeGreaterThanOrEqual(11);
    for (const def of workers) {
      expect(def.createIn, def.kind).toBeDefined();
      const { url, name } = def.createIn!;
      expect(typeof (await import(url))[name], `${def.kind}: ${url} ${name}`).toBe('function');
    }
  });
});
