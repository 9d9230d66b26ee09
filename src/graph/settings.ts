/**
 * Execution settings of a node: built-in defaults ← the pipeline's `defaults:` ← the stage's own
 * fields ← a run's `--provider` override.
 */
import type { PipelineFile, StageEntry } from '../config/schema.ts';
import path from 'node:path';
import { DEFAULT_NODE_SETTINGS } from '../core/settings.ts';
import type { NodeSettings } from './types.ts';

export const BUILTIN_SETTINGS: NodeSettings = DEFAULT_NODE_SETTINGS;

/** TensorRT settings that name files or folders; they resolve against the pipeline's folder. */
const TENSORRT_PATHS = ['calibrationTable', 'engineCache', 'timingCache'] as const;

export function nodeSettings(
  stage: Partial<StageEntry>,
  defaults: PipelineFile['defaults'],
  kindDefaults: { cache?: boolean } = {},
  baseDir = '.',
): NodeSettings {
  const d = defaults ?? {};
  const provider = stage.provider ?? d.provider ?? BUILTIN_SETTINGS.provider;
  // Thread fields merge field by field; `threads: auto` on a stage undoes the pipeline's default.
  const own = stage.threads === 'auto' ? {} : stage.threads;
  const inherited = stage.threads === 'auto' || d.threads === 'auto' ? {} : d.threads;
  const explicit = { ...inherited, ...own };
  const concurrency = stage.concurrency ?? 'auto';
  return {
    queue: stage.queue ?? d.queue ?? BUILTIN_SETTINGS.queue,
    concurrency: concurrency === 'auto' ? BUILTIN_SETTINGS.concurrency : concurrency,
    auto: { replicas: concurrency === 'auto', threads: explicit.intraOp === undefined },
    batch: stage.batch ? { max: stage.batch.max, delayMs: stage.batch.delayMs ?? 5 } : undefined,
    provider: typeof provider === 'string' ? [provider] : provider,
    strict: stage.strict ?? d.strict ?? BUILTIN_SETTINGS.strict,
    deviceId: stage.deviceId ?? d.deviceId ?? BUILTIN_SETTINGS.deviceId,
    threads: {
      intraOp: explicit.intraOp ?? BUILTIN_SETTINGS.threads.intraOp,
      interOp: explicit.interOp ?? BUILTIN_SETTINGS.threads.interOp,
      spinning: explicit.spinning ?? BUILTIN_SETTINGS.threads.spinning,
    },
    warmup: stage.warmup ?? d.warmup ?? BUILTIN_SETTINGS.warmup,
    tensorrt: resolveTensorRtPaths({ ...(d.tensorrt ?? {}), ...(stage.tensorrt ?? {}) }, baseDir),
    cache: stage.cache ?? kindDefaults.cache ?? BUILTIN_SETTINGS.cache,
    precision: stage.precision ?? d.precision ?? BUILTIN_SETTINGS.precision,
    ...(stage.calibration ? { calibration: path.resolve(baseDir, stage.calibration) } : {}),
  };
}

function resolveTensorRtPaths(settings: Record<string, unknown>, baseDir: string): NodeSettings['tensorrt'] {
  const out: Record<string, unknown> = { ...settings };
  for (const key of TENSORRT_PATHS) {
    if (typeof out[key] === 'string') out[key] = path.resolve(baseDir, out[key] as string);
  }
  return out as NodeSettings['tensorrt'];
}
