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

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function concatFloat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
