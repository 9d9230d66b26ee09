/**
 * reel as a library: `import { loadGraph, runPipeline, defineTransform } from 'reel'`. Load a
 * pipeline file (with the built-in stage kinds and the ones it names by file), run it over one clip
 * — events while it goes, the files written and its metrics at the end — and define stage kinds of
 * your own. Compiled to dist/ with type declarations when reel is installed (scripts/build.js).
 */
export { loadGraph } from './cli/pipeline.ts';
export { loadPipeline, type LoadedPipeline, type LoadOptions } from './config/load.ts';
export type { PipelineGraph } from './graph/types.ts';
export {
  runPipeline,
  type ExecutionMode,
  type RunEvent,
  type RunMetrics,
  type RunOptions,
  type RunResult,
  type StageMetrics,
} from './runtime/index.ts';
export {
  defineSink,
  defineSource,
  defineTransform,
  type PortPacket,
  type StageCreateContext,
  type StageDefinition,
  type TransformInstance,
} from './core/stage.ts';
export { moduleExport, type ModuleExport } from './core/module-export.ts';
export type { StageItem } from './core/item.ts';
export type { AudioPacket, ChunkInfo, Packet, TensorData, TensorPacket, VideoPacket } from './core/types.ts';
export {
  CancelledError,
  ConfigError,
  InputError,
  MediaError,
  ModelError,
  ProviderError,
  ReelError,
  StageError,
} from './core/errors.ts';
export { STAGE_KINDS } from '../stages/index.ts';
