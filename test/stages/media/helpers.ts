/**
 * Helpers of the media stage tests: a pass-through stage that declares a granularity (so the
 * source must cut on its grid), a graph of source → [grid] → sink run through the real runtime,
 * plain ffmpeg decodes to compare against, and the ffmpeg children this process has alive.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { of } from 'rxjs';
import { z } from 'zod';
import { defineTransform, type StageDefinition } from '../../../src/core/stage.ts';
import type { ChunkInfo } from '../../../src/core/types.ts';
import type { ChunkingSpec, PipelineGraph } from '../../../src/graph/types.ts';
import { resolveFfmpeg } from '../../../src/media/binaries.ts';
import { runPipeline, type RunResult } from '../../../src/runtime/index.ts';
import { testGraph, type TestNode } from '../../fixtures/stages/graph.ts';

/** Passes audio on unchanged; declares a 0.02 s granularity, as a hop-based stage would. */
export const gridStage = defineTransform({
  kind: 'test-media-grid',
  summary: 'Audio pass-through with a declared granularity.',
  module: import.meta.url,
  inputs: { in: { type: 'audio', doc: 'Any audio.' } },
  outputs: { out: { type: 'audio', doc: 'The same packets.' } },
  options: z.strictObject({}),
  item: { granularitySeconds: 0.02 },
  create: async () => ({
    process: (item) => of({ port: 'out', packet: item.audio('in') }),
    dispose: async () => {},
  }),
});

export interface MediaRun {
  nodes: Record<string, TestNode>;
  edges: string[];
  chunking: ChunkingSpec;
  inputs: Record<string, string>;
  outDir: string;
  signal?: AbortSignal;
  /** Called with every chunk a non-source stage finished. */
  onChunk?: (stage: string, chunk: ChunkInfo) => void;
  /** Called with every log line of a stage. */
  onLog?: (stage: string, line: string) => void;
}

export function mediaGraph(run: Pick<MediaRun, 'nodes' | 'edges' | 'chunking'>): PipelineGraph {
  return { ...testGraph({ name: 'media-test', nodes: run.nodes, edges: run.edges }), chunking: run.chunking };
}

/** Runs the graph in-process (no workers: sources and sinks never use them). */
export function runMedia(run: MediaRun): Promise<RunResult> {
  return runPipeline(mediaGraph(run), {
    inputs: run.inputs,
    outDir: run.outDir,
    signal: run.signal,
    workers: false,
    onEvent: (e) => {
      if (e.type === 'chunk') run.onChunk?.(e.stage, e.chunk);
      else if (e.type === 'log') run.onLog?.(e.stage, e.line);
    },
  });
}

export function node(def: StageDefinition, options: Record<string, unknown> = {}, binding?: string): TestNode {
  return { def, options, binding };
}

/** The file decoded by ffmpeg alone to interleaved f32 PCM (at its own rate unless `rate`). */
export function ffmpegDecode(file: string, o: { rate?: number; channels?: number } = {}): Float32Array {
  const r = spawnSync(
    resolveFfmpeg().ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-i',
      `file:${file}`,
      '-ac',
      String(o.channels ?? 1),
      ...(o.rate ? ['-ar', String(o.rate)] : []),
      '-f',
      'f32le',
      'pipe:1',
    ],
    { maxBuffer: 1 << 30 },
  );
  if (r.status !== 0) throw new Error(`ffmpeg decode of ${file} failed: ${r.stderr}`);
  const bytes = r.stdout as Buffer;
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** Pids of ffmpeg/ffprobe processes whose parent is this process (Linux /proc). */
export function ffmpegChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid …": comm may hold spaces, so split after the closing paren.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && /ffmpeg|ffprobe/.test(comm)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}
