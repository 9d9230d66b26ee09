/**
 * What bounds a run: the stage with the most compute per instance, and the fastest the run could
 * have been — start-up plus max(that stage's compute ÷ its instances, the transforms' compute ÷
 * cores). Sources and sinks count for the first term (a decode can be what holds a run back) but
 * not the second: their time is mostly spent waiting on an ffmpeg process, while the transforms
 * compute, so adding it to theirs would put the bound past the wall time (efficiency > 100 %).
 */
import type { RunMetrics, StageMetrics } from './stage-metrics.ts';

export interface RunBoundInput {
  cores: number;
  startupMs: number;
  wallMs: number;
  /** Ids of the sources and sinks (media I/O). */
  media: ReadonlySet<string>;
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

export function runBound(
  stages: readonly StageMetrics[],
  { cores, startupMs, wallMs, media }: RunBoundInput,
): Pick<RunMetrics, 'bottleneck' | 'boundMs' | 'efficiency'> {
  let bottleneck = stages[0];
  for (const stage of stages)
    if (stage.busyMs / stage.replicas > bottleneck.busyMs / bottleneck.replicas) bottleneck = stage;
  const compute = stages.filter((s) => !media.has(s.stage)).reduce((sum, stage) => sum + stage.busyMs, 0);
  const boundMs = startupMs + Math.max(bottleneck ? bottleneck.busyMs / bottleneck.replicas : 0, compute / cores);
  return {
    bottleneck: bottleneck?.stage ?? '',
    boundMs: round(boundMs),
    efficiency: wallMs > 0 ? Math.round((boundMs / wallMs) * 1000) / 1000 : 0,
  };
}
