/**
 * The run's bound (src/metrics/run-bound.ts): the busiest stage per instance, or the transforms'
 * compute spread over the cores — a source's or sink's time waiting on ffmpeg is not compute on
 * the run's cores, so it never pushes the bound past what the cores could do.
 */
import { describe, expect, it } from 'vitest';
import { runBound } from '../../src/metrics/run-bound.ts';
import type { StageMetrics } from '../../src/metrics/stage-metrics.ts';

const stage = (name: string, busyMs: number, replicas = 1) => ({ stage: name, busyMs, replicas }) as StageMetrics;

describe('run bound', () => {
  const media = new Set(['video', 'synced']);

  it("counts a source's pull time for the busiest stage, not for the cores' share", () => {
    // A decode waited on for 40 s while two transforms computed 30 s each on 2 cores in 45 s.
    const stages = [
      stage('video', 40_000),
      stage('faces', 30_000),
      stage('lipsync', 30_000, 2),
      stage('synced', 20_000),
    ];
    const r = runBound(stages, { cores: 2, startupMs: 1000, wallMs: 45_000, media });
    expect(r.bottleneck).toBe('video');
    expect(r.boundMs).toBe(41_000); // start-up + the decode, not + 120 s ÷ 2 cores
    expect(r.efficiency).toBeLessThanOrEqual(1);
  });

  it('is the transforms spread over the cores when they outweigh the busiest stage', () => {
    const stages = [stage('video', 5000), stage('faces', 30_000, 2), stage('lipsync', 50_000, 4)];
    const r = runBound(stages, { cores: 4, startupMs: 500, wallMs: 25_000, media });
    expect(r.bottleneck).toBe('faces'); // 15 s per instance against 12.5 s
    expect(r.boundMs).toBe(500 + 80_000 / 4);
    expect(r.efficiency).toBeCloseTo(20_500 / 25_000, 3);
  });
});
