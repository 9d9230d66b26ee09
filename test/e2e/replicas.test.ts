/**
 * voice-convert under the core budget, as `reel run` runs it (a fresh process, so its peak RSS is
 * its own): replicas are added to the converter, the output is byte-identical to a sequential run,
 * and the peak memory stays within the estimate printed with the measured plan.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loopClip } from '../../src/media/loop-clip.ts';
import type { RunMetrics } from '../../src/metrics/stage-metrics.ts';
import { runVoiceConvert } from '../helpers/cli.ts';

let dir: string;
let voice: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reel-replicas-e2e-'));
  voice = join(dir, 'voice 120 s.wav');
  await loopClip('samples/talking-head/long/voice.wav', 120, voice, 'audio');
});

/** The converter's instances in the last plan a run printed. */
const convertReplicas = (stderr: string) => Number([...stderr.matchAll(/convert ×(\d+)/g)].at(-1)![1]);

function convert(name: string, extra: string[], env: NodeJS.ProcessEnv = {}) {
  return runVoiceConvert(dir, name, voice, extra, env);
}

describe('voice-convert with replicas', () => {
  it('adds converter replicas, writes what a sequential run writes, stays within its memory estimate', async () => {
    // Stage costs remembered in a folder of the test's own (the suite turns remembering off).
    const state = { REEL_REMEMBER_COSTS: '', REEL_STATE_DIR: join(dir, 'state') };
    const pipelined = convert('pipelined', ['--cores', '4'], state);
    expect(pipelined.stderr).toMatch(/^core budget: 4 cores: content ×1\+ \(1 thread\), convert ×1\+ \(1 thread\)$/m);
    expect(pipelined.stderr).toMatch(/^core budget, measured: 4 cores: .*convert ×[2-9] .*; memory ≤ \d+ MiB$/m);
    expect(pipelined.code).toBe(0);
    // The run remembered its two growable stages' costs; a sequential run (no replicas) adds none.
    const costsFile = join(dir, 'state', 'stage-costs.json');
    const costs = await readFile(costsFile, 'utf8');
    const remembered = Object.values((JSON.parse(costs) as { stages: Record<string, { replicas: number }> }).stages);
    expect(remembered.map((c) => c.replicas).sort((x, y) => x - y)).toEqual([1, convertReplicas(pipelined.stderr)]);
    const sequential = convert('sequential', ['--cores', '4', '--mode', 'sequential'], state);
    expect(sequential.code).toBe(0);
    expect(await readFile(costsFile, 'utf8')).toBe(costs);

    const metrics = JSON.parse(await readFile(pipelined.metrics, 'utf8')) as RunMetrics;
    const convertStage = metrics.stages.find((s) => s.stage === 'convert')!;
    expect(convertStage.replicas).toBeGreaterThan(1);
    expect(convertStage.packets).toBe(30);
    expect(metrics.bottleneck).toBe('convert');
    // The last measured line (a loaded machine may grow the plan in more than one step).
    const printed = Number([...pipelined.stderr.matchAll(/memory ≤ (\d+) MiB/g)].at(-1)![1]);
    expect(printed).toBe(Math.round(metrics.memoryEstimateBytes / 2 ** 20));
    expect(metrics.processPeakRssBytes).toBeLessThanOrEqual(metrics.memoryEstimateBytes);
    expect(pipelined.stderr).toContain(`busiest stage convert`);

    const a = await readFile(join(pipelined.out, 'converted.wav'));
    const b = await readFile(join(sequential.out, 'converted.wav'));
    expect(a.length).toBeGreaterThan(120 * 40000 * 2);
    expect(a.equals(b)).toBe(true);

    // The same run on `webgpu`, the CPU standing in for the GPU: every replica's calls go through
    // the process's one GPU thread, and the output is still the sequential run's, byte for byte.
    const gpu = convert('gpu', ['--cores', '4', '--provider', 'webgpu', '--trace', join(dir, 'gpu-trace.json')], {
      REEL_GPU_STAND_IN: 'cpu',
    });
    expect(gpu.code).toBe(0);
    expect(gpu.stderr).toMatch(/^stage "convert": provider webgpu \(on the GPU thread/m);
    expect(gpu.stderr).toMatch(/; GPU busy \d+%$/m);
    const gpuMetrics = JSON.parse(await readFile(gpu.metrics, 'utf8')) as RunMetrics;
    const gpuConvert = gpuMetrics.stages.find((s) => s.stage === 'convert')!;
    expect(gpuConvert.replicas).toBeGreaterThan(1);
    expect(gpuConvert.gpu?.calls).toBe(30);
    expect(gpuMetrics.stages.find((s) => s.stage === 'content')!.gpu?.calls).toBe(30);
    expect(gpuMetrics.gpuBusy).toBeGreaterThan(0);
    const trace = JSON.parse(await readFile(join(dir, 'gpu-trace.json'), 'utf8')) as {
      traceEvents: { ph: string; name: string; tid: number; args?: { name?: string } }[];
    };
    const gpuTrack = trace.traceEvents.find((e) => e.ph === 'M' && e.args?.name === 'GPU')!.tid;
    const gpuSpans = trace.traceEvents.filter((e) => e.ph === 'X' && e.tid === gpuTrack);
    expect(gpuSpans.filter((e) => e.name.startsWith('convert #'))).toHaveLength(30);
    expect((await readFile(join(gpu.out, 'converted.wav'))).equals(b)).toBe(true);
  });
});
