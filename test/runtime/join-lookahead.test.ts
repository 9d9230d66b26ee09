/**
 * A join fed by a branch through stages that hold a chunk back (lookahead) and a branch that
 * skips them: the join's queue on the fast side must hold what that side runs ahead, or the
 * source stops, the held stage never gets its neighbour, and the run hangs silently.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { sumJoinStage } from '../fixtures/stages/join-stage.ts';
import { neighbourStage } from '../fixtures/stages/neighbour-stage.ts';

describe('join behind stages with lookahead', () => {
  it.each([
    ['one held stage, join queue 1', 1, 1],
    ['two held stages in series, join queue 2', 2, 2],
    ['two held stages in series, join queue 1', 2, 1],
  ])(
    '%s completes in order',
    async (_name, held, queue) => {
      const out = await mkdtemp(path.join(os.tmpdir(), 'reel-join-la-'));
      const chain = Array.from({ length: held }, (_, i) => `h${i}`);
      const graph = testGraph({
        nodes: {
          src: { def: counterSource, options: { chunks: 10, chunkSeconds: 0.01 } },
          ...Object.fromEntries(chain.map((id) => [id, { def: neighbourStage }])),
          join: { def: sumJoinStage, settings: { queue } },
          sink: { def: collectSink, binding: 'sum' },
        },
        edges: [
          `src.audio -> ${chain[0]}.in`,
          ...chain.slice(1).map((id, i) => `${chain[i]}.out -> ${id}.in`),
          `${chain.at(-1)}.out -> join.a`,
          'src.audio -> join.b',
          'join.out -> sink.in',
        ],
      });
      await runPipeline(graph, { outDir: out, workers: false });
      const lines = (await readFile(path.join(out, 'sum.txt'), 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(10);
    },
    10_000,
  );
});
