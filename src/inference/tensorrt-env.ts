/**
 * TensorRT settings → ONNX Runtime's ORT_TENSORRT_* environment variables. The node binding
 * passes only `deviceId` to the TensorRT provider, but the provider reads these variables when a
 * session is created (onnxruntime tensorrt_execution_provider.h, `tensorrt_env_vars`).
 */
import type { TensorRtSettings } from '../graph/types.ts';

export const TENSORRT_ENV_PREFIX = 'ORT_TENSORRT_';

const flag = (on: boolean | undefined) => (on ? '1' : '0');

/** The exact variables a stage's session is created under (every key reel manages is present). */
export function tensorRtEnvironment(settings: Readonly<TensorRtSettings>): Record<string, string | undefined> {
  return {
    ORT_TENSORRT_FP16_ENABLE: flag(settings.fp16),
    ORT_TENSORRT_INT8_ENABLE: flag(settings.int8),
    ORT_TENSORRT_INT8_CALIBRATION_TABLE_NAME: settings.calibrationTable,
    ORT_TENSORRT_ENGINE_CACHE_ENABLE: flag(settings.engineCache !== undefined),
    ORT_TENSORRT_CACHE_PATH: settings.engineCache,
    ORT_TENSORRT_TIMING_CACHE_ENABLE: flag(settings.timingCache !== undefined),
    ORT_TENSORRT_GLOBAL_CACHE_PATH: settings.timingCache,
    ORT_TENSORRT_MAX_WORKSPACE_SIZE: settings.maxWorkspaceBytes?.toString(),
    ORT_TENSORRT_MIN_SUBGRAPH_SIZE: settings.minSubgraphSize?.toString(),
    ORT_TENSORRT_PROFILE_MIN_SHAPES: settings.profileShapes?.min,
    ORT_TENSORRT_PROFILE_OPT_SHAPES: settings.profileShapes?.opt,
    ORT_TENSORRT_PROFILE_MAX_SHAPES: settings.profileShapes?.max,
  };
}

/**
 * Sets `vars` in process.env (undefined = unset) and returns a function that restores what was
 * there. In a worker thread this reaches the real environment only when the worker was started
 * with `env: SHARE_ENV` — otherwise the worker has a private copy that native code never sees.
 */
export function applyEnvironment(vars: Readonly<Record<string, string | undefined>>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const put = (k: string, v: string | undefined) => {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  };
  for (const [k, v] of Object.entries(vars)) put(k, v);
  return () => {
    for (const [k, v] of Object.entries(saved)) put(k, v);
  };
}

/** The ORT_TENSORRT_* variables currently set (what a session created now would see). */
export function currentTensorRtEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[0].startsWith(TENSORRT_ENV_PREFIX) && e[1] !== undefined,
    ),
  );
}
