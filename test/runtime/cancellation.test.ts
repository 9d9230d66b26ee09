import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CancelledError, EXIT } from '../../src/core/errors.ts';
import { liveStageWorkers, runPipeline } from '../../src/runtime/index.ts';
import { collectSink } from '../fixtures/stages/collect-sink.ts';
import { ffmpegSineSource } from '../fixtures/stages/ffmpeg-sine-source.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { probe } from '../fixtures/stages/probes.ts';
import { spinStage } from '../fixtures/stages/spin-stage.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const CANCEL_RUN = fileURLToPath(new URL('../fixtures/stages/cancel-run.js', import.meta.url));

/** Runs cancel-run.js; sends `signal` once chunks flow (if given); resolves with what happened. */
function runChild(mode: 'sigint' | 'crash', outDir: string, signal?: NodeJS.Signals) {
  const child = spawn(process.execPath, [CANCEL_RUN, mode, outDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const pids: number[] = [];
  child.stdout.on('data', (data: Buffer) => {
    stdout += data;
    const ready = /ready ([\d,]+)/.exec(stdout);
    if (ready && pids.length === 0) {
      pids.push(...ready[1].split(',').map(Number));
      if (signal) child.kill(signal);
    }
  });
  child.stderr.on('data', (data: Buffer) => (stderr += data));
  return new Promise<{ code: number | null; stderr: string; pids: number[] }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr, pids })),
  );
}

describe('cancellation', () => {
  it('stops an AbortSignal-cancelled run: ffmpeg killed, workers gone, temp removed, no output', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-cancel-'));
    const controller = new AbortController();
    let tempDir = '';
    const graph = testGraph({
      nodes: {
        src: { def: ffmpegSineSource, options: { seconds: 600, chunkSeconds: 0.1, probe: 'abort' } },
        infer: { def: spinStage, options: { spinMs: 10 } },
        sink: { def: collectSink, binding: 'voice' },
      },
      edges: ['src.audio -> infer.in', 'infer.out -> sink.in'],
    });
    const run = runPipeline(graph, {
      outDir: out,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'log') tempDir = e.line.replace('temp dir ', '');
        if (e.type === 'chunk' && e.stage === 'infer' && e.chunk.index === 3) controller.abort();
      },
    });
    const error = await run.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(EXIT.interrupted);
    const [pid] = probe('abort').childPids;
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(false);
    expect(liveStageWorkers()).toBe(0);
    expect(tempDir).not.toBe('');
    expect(existsSync(tempDir)).toBe(false);
    expect(await readdir(out)).toEqual([]);
  });

  it('exits 130 on SIGINT in a real process, killing ffmpeg and leaving no output file', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-sigint-'));
    const result = await runChild('sigint', out, 'SIGINT');
    expect(result.code).toBe(130);
    expect(result.stderr.trim()).toBe('cancel-me: cancelled');
    expect(result.pids).toHaveLength(1);
    expect(alive(result.pids[0])).toBe(false);
    expect(await readdir(out)).toEqual([]);
  });

  it('exits 1 with one readable line when a worker stage fails in a real process', async () => {
    const out = await mkdtemp(join(tmpdir(), 'reel-crash-'));
    const result = await runChild('crash', out);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('cancel-me: stage "infer" chunk 5 [0.50s–0.60s]: tensor shape mismatch on chunk 5\n');
    expect(result.pids).toHaveLength(1);
    expect(alive(result.pids[0])).toBe(false);
    expect(await readdir(out)).toEqual([]);
  });
});
