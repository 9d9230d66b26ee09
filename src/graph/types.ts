/**
 * A validated pipeline as a graph: every node is a stage instance (pipeline inputs become source
 * nodes, outputs become sink nodes), every edge joins an output port to an input port of a
 * compatible type. The runtime compiles this into RxJS; `reel graph` renders it.
 */
import type { StageDefinition } from '../core/stage.ts';
import type { SourceLocation } from '../core/types.ts';

export interface PortRef {
  node: string;
  port: string;
}

export interface GraphEdge {
  from: PortRef;
  to: PortRef;
  location?: SourceLocation;
}

/** Execution settings of one stage instance, defaults already applied. */
export interface NodeSettings {
  /** Max packets buffered on each input edge of this node. */
  queue: number;
  /** Parallel instances of the stage; output order is preserved. */
  concurrency: number;
  /** Dynamic batching across concurrent clips; absent = off. */
  batch?: { max: number; delayMs: number };
  /** Execution provider preference list, e.g. ['tensorrt', 'cuda', 'cpu']. */
  provider: readonly ('tensorrt' | 'cuda' | 'cpu')[];
  /** Fail instead of falling back when the first provider does not load. */
  strict: boolean;
  deviceId: number;
  threads: { intraOp: number; interOp: number; spinning: boolean };
  warmup: number;
  /** TensorRT settings, applied via ORT_TENSORRT_* environment variables at session creation. */
  tensorrt: Readonly<TensorRtSettings>;
  /** Cache this stage's outputs on disk (content-addressed). */
  cache: boolean;
}

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

export interface GraphNode {
  id: string;
  kind: string;
  role: StageDefinition['role'];
  def: StageDefinition;
  /** Parsed options, defaults applied. */
  options: Readonly<Record<string, unknown>>;
  /** Absolute model path per slot; reference models are resolved to their built location. */
  models: Readonly<Record<string, string>>;
  settings: NodeSettings;
  location?: SourceLocation;
  /** For source nodes: the pipeline input name; for sink nodes: the pipeline output name. */
  binding?: string;
}

export interface PipelineGraph {
  name: string;
  file: string;
  nodes: ReadonlyMap<string, GraphNode>;
  edges: readonly GraphEdge[];
  /** Node ids in an order where every edge goes forward. */
  order: readonly string[];
  /** The `chunking:` block, defaults applied. */
  chunking: ChunkingSpec;
}

export interface ChunkingSpec {
  /** Owned length of one chunk, seconds. */
  seconds: number;
  /** Crossfade length at each seam, seconds. */
  overlapSeconds: number;
  /** Move each boundary to the quietest point within ± this many seconds (0 = cut exactly). */
  silenceSearchSeconds: number;
}
