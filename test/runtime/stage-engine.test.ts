/**
 * A batch's engine: runs on one StageEngine take their stage workers from it and give them back,
 * so threads start once; each clip still gets fresh stage instances (a stateful stage starts over);
 * a worker that failed or was mid-item is never handed out again.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { liveStageWorkers, runPipeline, type RunEvent } from '../../src/runtime/index.ts';
import { StageEngine } from '../../src/runtime/stage-engine.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { runningCountStage } from '../fixtures/stages/running-count-stage.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

function graph(spin: Record<string, unknown> = {}) {
  return testGraph({
    nodes: {
      src: { def: counterSource, options: { chunks: 5, chunkSeconds: 0.01 } },
      count: { def: runningCountStage },
      spin: { def: spinStage, options: spin },
      sink: { def: collectSink, binding: 'result' },
    },
    edges: ['src.audio -> count.in', 'count.out -> spin.in', 'spin.out -> sink.in'],
  });
}

/** Runs the graph into a new folder; the result file's lines and the count stage's worker thread. */
async function render(engine: StageEngine | undefined, spin: Record<string, unknown> = {}, cancel?: AbortController) {
  const out = await mkdtemp(join(tmpdir(), 'reel-engine-'));
  let thread = '';
  const onEvent = (e: RunEvent) => {
    if (e.type === 'log' && e.stage === 'count') thread = e.line;
    // Cancelled once spin has done its first chunk: its next one is in hand or waiting then.
    if (e.type === 'chunk' && e.stage === 'spin') cancel?.abort();
  };
  const signal = cancel?.signal;
  await runPipeline(graph(spin), { outDir: out, cores: 1, engine, onEvent, signal, replicas: !engine?.sharing });
  const lines = (await readFile(join(out, 'result.txt'), 'utf8')).trim().split('\n');
  return { lines, thread };
}

const COUNTED = ['0 0', '1 1', '2 2', '3 3', '4 4'];

afterEach(() => expect(liveStageWorkers()).toBe(0));

describe('a stage engine shared by runs', () => {
  it('runs clip after clip on the same worker threads, each clip on fresh stage instances', async () => {
    const engine = new StageEngine();
    try {
      const runs = [await render(engine), await render(engine), await render(engine)];
      // A stateful stage counts from 0 in every clip: its state did not carry over.
      for (const run of runs) expect(run.lines).toEqual(COUNTED);
      expect(new Set(runs.map((r) => r.thread)).size).toBe(1);
      // Two worker stages (count, spin): started by the first run, reused by the next two.
      expect(engine.stats).toEqual({ started: 2, reused: 4 });
      expect(liveStageWorkers()).toBe(2);
    } finally {
      await engine.close();
    }
    // Without an engine each run starts threads of its own.
    const [a, b] = [await render(undefined), await render(undefined)];
    expect(a.thread).not.toBe(b.thread);
  });

  it('hands out no worker of a failed run that was mid-item, and the next run is whole', async () => {
    const engine = new StageEngine();
    try {
      await render(engine);
      // spin fails on chunk 2 while count may be mid-item; whatever comes back must work.
      await expect(render(engine, { failAt: 2 })).rejects.toThrow(/tensor shape mismatch on chunk 2/);
      const after = await render(engine);
      expect(after.lines).toEqual(COUNTED);
      // A worker whose process exited is dropped, not handed out.
      await expect(render(engine, { failAt: 1, failure: 'exit' })).rejects.toThrow(/exited unexpectedly/);
      expect((await render(engine)).lines).toEqual(COUNTED);
    } finally {
      await engine.close();
    }
  });

  it('shares one instance of a stateless stage among runs at the same time; a cancelled run leaves the others whole', async () => {
    const engine = new StageEngine({ share: true });
    try {
      const runs = await Promise.all([1, 2, 3].map(() => render(engine, { spinMs: 15 })));
      for (const run of runs) expect(run.lines).toEqual(COUNTED);
      // count carries state: one worker per run at once; spin has none: one worker for all three.
      expect(new Set(runs.map((r) => r.thread)).size).toBe(3);
      expect(engine.stats.started).toBe(4);
      expect(liveStageWorkers()).toBe(4);
      // A run cancelled while the shared instance may be mid-item on its chunk: the instance is
      // ended (it cannot take another item while it computes), and the others go on on a new one.
      const cancelled = render(engine, { spinMs: 15 }, new AbortController());
      const others = [render(engine, { spinMs: 15 }), render(engine, { spinMs: 15 })];
      await expect(cancelled).rejects.toThrow(/cancelled/);
      for (const run of await Promise.all(others)) expect(run.lines).toEqual(COUNTED);
    } finally {
      await engine.close();
    }
  });

  it('drops a shared instance whose worker died between runs; the next run gets a new one', async () => {
    const engine = new StageEngine({ share: true });
    const dies = { failAt: 4, failure: 'exit-after' };
    try {
      // spin's thread exits 20 ms after its last chunk: the instance is idle, kept for the next run.
      expect((await render(engine, dies)).lines).toEqual(COUNTED);
      await vi.waitFor(() => expect(liveStageWorkers()).toBe(1), { timeout: 5000 }); // count's, kept warm
      expect((await render(engine, dies)).lines).toEqual(COUNTED);
      // count's worker came back warm; spin's started again.
      expect(engine.stats.started).toBe(3);
    } finally {
      await engine.close();
    }
    await expect(engine.lease('k', {} as never)).rejects.toThrow('the stage engine is closed');
  });

  it('adds a shared instance while items wait for a busy one, up to its cap', async () => {
    const engine = new StageEngine({ share: true, sharedInstances: 2 });
    try {
      const runs = await Promise.all([1, 2, 3, 4].map(() => render(engine, { spinMs: 60 })));
      for (const run of runs) expect(run.lines).toEqual(COUNTED);
      // Four count workers (one per run) and two spin instances: the cap, not one per run.
      expect(engine.stats.started).toBe(6);
      expect(liveStageWorkers()).toBe(6);
    } finally {
      await engine.close();
    }
  });

  it('ends workers given back after it closed', async () => {
    const engine = new StageEngine();
    const run = render(engine);
    await engine.close();
    expect((await run).lines).toEqual(COUNTED);
    // Given back after close, they end (not at once: a thread takes a moment to go).
    await vi.waitFor(() => expect(liveStageWorkers()).toBe(0), { timeout: 5000 });
    expect(engine.stats.started).toBe(2);
  });
});
