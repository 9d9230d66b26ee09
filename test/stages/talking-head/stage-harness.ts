/** Runs a hand-built graph of talking-head stages in-process and gathers its log lines. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPipeline } from '../../../src/runtime/index.ts';
import { testGraph, type TestNode } from '../../fixtures/stages/graph.ts';

export async function runStages(spec: {
  nodes: Record<string, TestNode>;
  edges: string[];
  chunkSeconds: number;
}): Promise<{ logs: string[] }> {
  const graph = { ...testGraph(spec), chunking: { seconds: spec.chunkSeconds, silenceSearchSeconds: 0 } };
  const logs: string[] = [];
  await runPipeline(graph, {
    outDir: await mkdtemp(join(tmpdir(), 'reel-th-stage-')),
    workers: false,
    onEvent: (e) => void (e.type === 'log' && logs.push(e.line)),
  });
  return { logs };
}

export { concatFloat, maxAbsDiff } from '../../helpers/audio-signals.ts';
