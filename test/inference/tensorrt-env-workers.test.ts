/**
 * TensorRT settings reach session creation inside stage worker threads: workers share the real
 * process environment (a worker's private copy would never reach ORT's getenv), and two stages
 * with different settings, created at the same time in two workers, each see only their own.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { counterSource } from '../fixtures/stages/counter-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { trtEnvStage } from '../fixtures/stages/trt-env-stage.ts';

describe('TensorRT settings in stage workers', () => {
  it('each worker creates its session under its own ORT_TENSORRT_* variables, in the shared environment', async () => {
    const graph = testGraph({
      nodes: {
        src: { def: counterSource, options: { chunks: 2 } },
        a: {
          def: trtEnvStage,
          settings: { provider: ['tensorrt', 'cpu'], tensorrt: { fp16: true, engineCache: '/tmp/engines-a' } },
        },
        b: {
          def: trtEnvStage,
          settings: { provider: ['tensorrt', 'cpu'], tensorrt: { int8: true, minSubgraphSize: 5 } },
        },
        outA: { def: collectSink, binding: 'outA' },
        outB: { def: collectSink, binding: 'outB' },
      },
      edges: ['src.audio -> a.in', 'src.audio -> b.in', 'a.out -> outA.in', 'b.out -> outB.in'],
    });
    const logs: Record<string, string[]> = {};
    await runPipeline(graph, {
      outDir: await mkdtemp(path.join(os.tmpdir(), 'reel-trt-')),
      onEvent: (e) => {
        if (e.type === 'log') {
          logs[e.stage] ??= [];
          logs[e.stage].push(e.line);
        }
      },
    });
    const report = (stage: string) =>
      JSON.parse(logs[stage].find((l) => l.startsWith('{'))!) as {
        attempts: { provider: string; environment: Record<string, string> }[];
      };
    expect(report('a').attempts[0]).toEqual({
      provider: 'tensorrt',
      environment: {
        ORT_TENSORRT_FP16_ENABLE: '1',
        ORT_TENSORRT_INT8_ENABLE: '0',
        ORT_TENSORRT_ENGINE_CACHE_ENABLE: '1',
        ORT_TENSORRT_CACHE_PATH: '/tmp/engines-a',
        ORT_TENSORRT_TIMING_CACHE_ENABLE: '0',
      },
    });
    expect(report('b').attempts[0]).toEqual({
      provider: 'tensorrt',
      environment: {
        ORT_TENSORRT_FP16_ENABLE: '0',
        ORT_TENSORRT_INT8_ENABLE: '1',
        ORT_TENSORRT_ENGINE_CACHE_ENABLE: '0',
        ORT_TENSORRT_TIMING_CACHE_ENABLE: '0',
        ORT_TENSORRT_MIN_SUBGRAPH_SIZE: '5',
      },
    });
    // A variable set inside the worker is visible here: the workers write the one real environment.
    expect(process.env.REEL_TEST_MARK_a).toBe('set-in-worker');
    expect(Object.keys(process.env).filter((k) => k.startsWith('ORT_TENSORRT_'))).toEqual([]);
  });
});
