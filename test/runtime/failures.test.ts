import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT, StageError } from '../../src/core/errors.ts';
import type { StageDefinition } from '../../src/core/stage.ts';
import { liveStageWorkers, runPipeline, type RunEvent } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

/** src → infer (a worker stage that fails as told) → sink; returns the error and what was left. */
async function failingRun(
  infer: Record<string, unknown>,
  source: Record<string, unknown> = {},
  stageTimeoutMs?: number,
) {
  const out = await mkdtemp(join(tmpdir(), 'reel-fail-'));
  const temps: string[] = [];
  const graph = testGraph({
    name: 'dub',
    nodes: {
      src: { def: counterSource, options: { chunks: 8, chunkSeconds: 0.5, ...source } },
      infer: { def: spinStage, options: { spinMs: 1, ...infer }, settings: { concurrency: 2 } },
      sink: { def: collectSink, binding: 'voice' },
    },
    edges: ['src.audio -> infer.in', 'infer.out -> sink.in'],
  });
  const started = performance.now();
  const onEvent = (e: RunEvent) => void (e.type === 'log' && temps.push(e.line));
  const error = await runPipeline(graph, { outDir: out, stageTimeoutMs, onEvent }).then(
    () => undefined,
    (err: unknown) => err,
  );
  return { error, ms: performance.now() - started, outFiles: await readdir(out) };
}

function expectCleanFailure(run: Awaited<ReturnType<typeof failingRun>>): StageError {
  expect(run.error).toBeInstanceOf(StageError);
  const error = run.error as StageError;
  expect(error.exitCode).toBe(EXIT.runtime);
  expect(liveStageWorkers()).toBe(0);
  // No file appears under the final output name.
  expect(run.outFiles).toEqual([]);
  return error;
}

describe('failures', () => {
  it('names pipeline, stage, chunk and time range when a worker stage throws on chunk k', async () => {
    const run = await failingRun({ failAt: 3, failure: 'throw' });
    const error = expectCleanFailure(run);
    expect(error.message).toBe('dub: stage "infer" chunk 3 [1.50s–2.00s]: tensor shape mismatch on chunk 3');
    expect(error.stage).toBe('infer');
    expect(error.chunkIndex).toBe(3);
    expect((error.cause as Error).message).toBe('tensor shape mismatch on chunk 3');
  });

  it('fails cleanly when the worker process dies on chunk k', async () => {
    const run = await failingRun({ failAt: 2, failure: 'exit' });
    const error = expectCleanFailure(run);
    expect(error.message).toMatch(
      /^dub: stage "infer" chunk 2 \[1\.00s–1\.50s\]: its worker exited unexpectedly \(code 3\)$/,
    );
  });

  it('ends a stage that hangs on chunk k after the stage timeout, and terminates its worker', async () => {
    const run = await failingRun({ failAt: 1, failure: 'hang' }, {}, 400);
    const error = expectCleanFailure(run);
    expect(error.message).toMatch(
      /^dub: stage "infer" chunk 1 \[0\.50s–1\.00s\]: no result after 400 ms \(stage timeout\)$/,
    );
    // Timeout, then the dispose grace for a worker that cannot answer, then done: no hang.
    expect(run.ms).toBeLessThan(4000);
  });

  it('fails cleanly when the source breaks on chunk k', async () => {
    const run = await failingRun({}, { failAt: 4 });
    const error = expectCleanFailure(run);
    expect(error.message).toBe('dub: stage "src" chunk 4 [2.00s–2.50s]: decoder broke at chunk 4');
  });

  it('fails before any chunk when a stage instance cannot be created, leaving no worker', async () => {
    const run = await failingRun({ failAt: 0, failure: 'create' });
    const error = expectCleanFailure(run);
    expect(error.message).toBe('dub: stage "infer": model file is unreadable');
  });

  it('refuses a stage kind that is declared but not implemented', async () => {
    const declared: StageDefinition = { ...(spinStage as StageDefinition), create: undefined };
    const graph = testGraph({
      nodes: { src: { def: counterSource }, infer: { def: declared }, sink: { def: collectSink } },
      edges: ['src.audio -> infer.in', 'infer.out -> sink.in'],
    });
    const out = await mkdtemp(join(tmpdir(), 'reel-fail-'));
    await expect(runPipeline(graph, { outDir: out })).rejects.toThrow(
      'stage "infer": stage kind "test-spin" is declared but not implemented yet',
    );
    expect(existsSync(join(out, 'sink.txt'))).toBe(false);
  });
});
