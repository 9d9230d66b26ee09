import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveStageWorkers, runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { delayStage } from '../fixtures/stages/delay-stage.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { loopJoinStage, sumJoinStage } from '../fixtures/stages/join-stage.ts';
import { probe } from '../fixtures/stages/probes.ts';
import { sourceNeeds } from '../../src/graph/source-needs.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';
import { generatorStage } from '../fixtures/stages/generator-stage.ts';
import { textFixtureSource } from '../fixtures/stages/text-fixture-source.ts';
import { takeStage } from '../fixtures/stages/take-stage.ts';

describe('fan-out and fan-in', () => {
  it('runs a diamond whose branch B is 5× slower than C in bounded memory and in order', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-join-'));
    const queue = 2;
    const graph = testGraph({
      nodes: {
        a: { def: counterSource, options: { chunks: 40, chunkSeconds: 0.01, probe: 'diamond' } },
        b: { def: delayStage, options: { delayMs: 10, probe: 'diamond' }, settings: { queue } },
        c: { def: delayStage, options: { delayMs: 2 }, settings: { queue } },
        d: { def: sumJoinStage, settings: { queue } },
        sink: { def: collectSink, binding: 'sum' },
      },
      edges: ['a.audio -> b.in', 'a.audio -> c.in', 'b.out -> d.a', 'c.out -> d.b', 'd.out -> sink.in'],
    });
    const result = await runPipeline(graph, { outDir: out });
    const lines = (await readFile(join(out, 'sum.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 40 }, (_, k) => `${k} ${2 * k}`));
    for (const stage of result.metrics.stages) expect(stage.maxQueueDepth).toBeLessThanOrEqual(queue);
    // The fast branch could not drag the source ahead of the slow one.
    expect(probe('diamond').maxOutstanding).toBeLessThanOrEqual(2 * queue + 2);
  });

  it('joins branches hosted in workers (B 5× slower than C)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-join-'));
    const graph = testGraph({
      nodes: {
        a: { def: counterSource, options: { chunks: 24, chunkSeconds: 0.01 } },
        b: { def: spinStage, options: { spinMs: 5 } },
        c: { def: spinStage, options: { spinMs: 1 } },
        d: { def: sumJoinStage },
        sink: { def: collectSink, binding: 'sum' },
      },
      edges: ['a.audio -> b.in', 'a.audio -> c.in', 'b.out -> d.a', 'c.out -> d.b', 'd.out -> sink.in'],
    });
    await runPipeline(graph, { outDir: out });
    // A fanned-out chunk is copied for one worker, not moved away from the other.
    const lines = (await readFile(join(out, 'sum.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 24 }, (_, k) => `${k} ${2 * k}`));
    expect(liveStageWorkers()).toBe(0);
  });

  it('finishes a join when one branch ends earlier than the other', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-join-'));
    const graph = testGraph({
      nodes: {
        long: { def: counterSource, options: { chunks: 10, chunkSeconds: 0.01 } },
        short: { def: counterSource, options: { chunks: 4, chunkSeconds: 0.01 } },
        d: { def: sumJoinStage },
        sink: { def: collectSink, binding: 'sum' },
      },
      edges: ['long.audio -> d.a', 'short.audio -> d.b', 'd.out -> sink.in'],
    });
    const logs: string[] = [];
    await runPipeline(graph, {
      outDir: out,
      onEvent: (e) => void (e.type === 'log' && e.stage === 'd' && logs.push(e.line)),
    });
    const lines = (await readFile(join(out, 'sum.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(['0 0', '1 2', '2 4', '3 6']);
    // What the longer branch still sends can never be joined: it is not taken, so it blocks nothing.
    expect(logs).toContain('input a went on after input b had ended; the rest of it is not taken');
  });

  it('stops a looped input that has no end once its consumer has what it needs', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-join-'));
    const graph = testGraph({
      nodes: {
        speech: { def: counterSource, options: { chunks: 6, chunkSeconds: 0.01 } },
        face: { def: counterSource, options: { forever: true, chunkSeconds: 0.01, probe: 'endless' } },
        d: { def: loopJoinStage },
        sink: { def: collectSink, binding: 'sum' },
      },
      edges: ['speech.audio -> d.a', 'face.audio -> d.b', 'd.out -> sink.in'],
    });
    // The face feeds only a looped port, and the speech ends the stream: the source may loop.
    expect(sourceNeeds(graph, 'face').loop).toBe(true);
    expect(sourceNeeds(graph, 'speech').loop).toBe(false);
    const logs: string[] = [];
    await runPipeline(graph, { outDir: out, onEvent: (e) => void (e.type === 'log' && logs.push(e.line)) });
    const lines = (await readFile(join(out, 'sum.txt'), 'utf8')).trim().split('\n');
    expect(lines).toEqual(Array.from({ length: 6 }, (_, k) => `${k} ${2 * k}`));
    // Pulled a queue or so past the end, then stopped; a loop running past the end is no warning.
    expect(probe('endless').pulled).toBeLessThanOrEqual(6 + 4);
    expect(logs.filter((l) => l.includes('went on'))).toEqual([]);
    expect(liveStageWorkers()).toBe(0);
  });

  it('finishes when a generating branch runs longer than the input it is joined with', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-join-'));
    const text = join(out, 'in.txt');
    await writeFile(text, 'hello');
    const graph = testGraph({
      nodes: {
        text: { def: textFixtureSource },
        gen: { def: generatorStage, options: { chunks: 40, samples: 160 } },
        short: { def: counterSource, options: { chunks: 3, chunkSeconds: 0.01 } },
        d: { def: sumJoinStage },
        sink: { def: collectSink, binding: 'sum' },
      },
      edges: ['text.text -> gen.text', 'short.audio -> d.a', 'gen.audio -> d.b', 'd.out -> sink.in'],
    });
    // The generator parks for room once d has finished: it must be let go, not left waiting.
    await runPipeline(graph, { outDir: out, inputs: { text }, workers: false });
    const lines = (await readFile(join(out, 'sum.txt'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(3);
  });

  // A transform cannot complete its stream early any more (contract v2: each item completes, the
  // node ends with its input); what remains is a branch that stops producing, which must not
  // stall the branch beside it.
  it('keeps a fan-out flowing when one consumer stops producing', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-join-'));
    const graph = testGraph({
      nodes: {
        a: { def: counterSource, options: { chunks: 20, chunkSeconds: 0.01 } },
        first: { def: takeStage, options: { count: 3 }, settings: { queue: 1 } },
        all: { def: delayStage, options: { delayMs: 1 } },
        headSink: { def: collectSink, binding: 'head' },
        allSink: { def: collectSink, binding: 'all' },
      },
      edges: ['a.audio -> first.in', 'a.audio -> all.in', 'first.out -> headSink.in', 'all.out -> allSink.in'],
    });
    const result = await runPipeline(graph, { outDir: out });
    expect((await readFile(join(out, 'head.txt'), 'utf8')).trim().split('\n')).toEqual(['0 0', '1 1', '2 2']);
    expect((await readFile(join(out, 'all.txt'), 'utf8')).trim().split('\n')).toHaveLength(20);
    expect(result.metrics.stages.find((s) => s.stage === 'first')!.packets).toBe(20);
  });
});
