/**
 * A stage that generates many chunks from one input (a TTS) is held to its consumers' pace: it
 * never puts more than the downstream queue holds ahead of a slow consumer, in a worker or not.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { delayStage } from '../fixtures/stages/delay-stage.ts';
import { generatorStage } from '../fixtures/stages/generator-stage.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { textFixtureSource } from '../fixtures/stages/text-fixture-source.ts';

describe('generating stages under back-pressure', () => {
  it.each([
    ['in a worker', true],
    ['in the main thread', false],
  ])('%s: the slow consumer never has more than its queue waiting', async (_name, workers) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reel-gen-'));
    const script = path.join(dir, 'script.txt');
    await writeFile(script, 'anything');
    const graph = testGraph({
      nodes: {
        script: { def: textFixtureSource, binding: 'script' },
        tts: { def: generatorStage, options: { chunks: 20 } },
        slow: { def: delayStage, options: { delayMs: 10 }, settings: { queue: 2 } },
        out: { def: collectSink, binding: 'out' },
      },
      edges: ['script.text -> tts.text', 'tts.audio -> slow.in', 'slow.out -> out.in'],
    });
    const result = await runPipeline(graph, { inputs: { script }, outDir: dir, workers });
    const slow = result.metrics.stages.find((s) => s.stage === 'slow')!;
    expect(slow.packets).toBe(20);
    expect(slow.maxQueueDepth).toBeLessThanOrEqual(2);
  });
});
