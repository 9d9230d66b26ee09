/**
 * A validated pipeline as a graph: every node is a stage instance (pipeline inputs become source
 * nodes, outputs become sink nodes), every edge joins an output port to an input port of a
 * compatible type. The runtime runs it (src/runtime); `reel graph` renders it.
 */
import type { StageDefinition } from '../core/stage.ts';
import type { NodeSettings } from '../core/settings.ts';
import type { SourceLocation } from '../core/types.ts';

export type { NodeSettings, TensorRtSettings } from '../core/settings.ts';

export interface PortRef {
  node: string;
  port: string;
}

export interface GraphEdge {
  from: PortRef;
  to: PortRef;
  location?: SourceLocation;
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
  /** For source nodes: the input whose file this one reads when it is not bound (`from:`). */
  inputFrom?: string;
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
  /** Length of one chunk, seconds. */
  seconds: number;
  /** Move each boundary within ± this many seconds (0 = cut exactly). */
  silenceSearchSeconds: number;
  /** Where in the search: the longest pause by Silero VAD, or (absent) the quietest point (RVC's rule). */
  splitAt?: 'vad';
}
