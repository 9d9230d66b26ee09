/**
 * Execution settings of a stage instance, defaults applied: what the runtime hands the stage (and
 * its ONNX session) when it is created.
 */
/** Execution settings of one stage instance, defaults already applied. */
export interface NodeSettings {
  /** Max packets buffered on each input edge of this node. */
  queue: number;
  /** Parallel instances of the stage; output order is preserved. Under `auto.replicas`, the starting number. */
  concurrency: number;
  /**
   * What the run's core budget chooses (`concurrency: auto`, `threads: auto`): replicas added while
   * the run measures the stage as the bottleneck, and intra-op threads at creation.
   */
  auto: { replicas: boolean; threads: boolean };
  /** Dynamic batching across concurrent clips; absent = off. */
  batch?: { max: number; delayMs: number };
  /** Execution provider preference list, e.g. ['tensorrt', 'cuda', 'webgpu', 'cpu']. */
  provider: readonly ('tensorrt' | 'cuda' | 'webgpu' | 'cpu')[];
  /** Fail instead of falling back when the first provider does not load. */
  strict: boolean;
  deviceId: number;
  threads: { intraOp: number; interOp: number; spinning: boolean };
  warmup: number;
  /** TensorRT settings, applied via ORT_TENSORRT_* environment variables at session creation. */
  tensorrt: Readonly<TensorRtSettings>;
  /** Cache this stage's outputs on disk (content-addressed). */
  cache: boolean;
  /** Numeric precision of the stage's models; a variant is built on first use (src/precision/variants.ts). */
  precision: Precision;
  /** Activation ranges (absolute path) for a static INT8 variant; absent = dynamic INT8. */
  calibration?: string;
}

export type Precision = 'fp32' | 'fp16' | 'int8';

/** TensorRT settings of a stage; file paths are absolute (resolved against the pipeline file). */
export interface TensorRtSettings {
  fp16?: boolean;
  int8?: boolean;
  calibrationTable?: string;
  engineCache?: string;
  timingCache?: string;
  maxWorkspaceBytes?: number;
  minSubgraphSize?: number;
  profileShapes?: { min: string; opt: string; max: string };
}

/** Settings of a node that sets none: one CPU thread, no spinning, queue 2, one warm-up run. */
export const DEFAULT_NODE_SETTINGS: NodeSettings = Object.freeze({
  queue: 2,
  concurrency: 1,
  // A graph built in code gets what it says; YAML stages default to auto (see graph/settings.ts).
  auto: { replicas: false, threads: false },
  provider: ['cpu'] as const,
  strict: false,
  deviceId: 0,
  threads: { intraOp: 1, interOp: 1, spinning: false },
  warmup: 1,
  tensorrt: {},
  cache: false,
  precision: 'fp32',
});
