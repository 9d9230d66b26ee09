/** The runtime's public surface: run a pipeline graph, and the types around it. */
export { runPipeline, type RunOptions, type RunResult } from './run-pipeline.ts';
export { CostMemory, costMemoryFile, openCostMemory, type RememberedCost } from './cost-memory.ts';
export type { ExecutionMode } from './scheduler.ts';
export type { RunEvent } from './runner.ts';
export { abortOnSignals, type SignalAbort } from './signals.ts';
export { liveStageWorkers } from './worker-host.ts';
export { writeMetrics, writeTrace } from '../metrics/write.ts';
export type { RunMetrics, StageMetrics } from '../metrics/stage-metrics.ts';
