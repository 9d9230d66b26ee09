/**
 * Creates a stage's ONNX Runtime session on the first execution provider of its preference list
 * that loads. onnxruntime-node throws instead of falling back when a GPU provider's libraries are
 * missing, so each candidate is tried in turn — `[tensorrt, cuda, cpu]` tries
 * [tensorrt, cuda, cpu], then [cuda, cpu], then [cpu], so nodes a provider cannot run still fall
 * to the next one. Creation happens under a process-wide lock with the stage's ORT_TENSORRT_*
 * environment applied, so stages with different TensorRT settings never race. A `webgpu` attempt is
 * made on the process's GPU thread (gpu/), which owns every WebGPU session.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { ModelError, ProviderError } from '../core/errors.ts';
import type { NodeSettings, TensorRtSettings } from '../graph/types.ts';
import { withCreationLock } from './creation-lock.ts';
import { missingProviderLibraries } from './provider-libraries.ts';
import { shortReason, type ProviderName } from './provider-probe.ts';
import { applyEnvironment, currentTensorRtEnvironment, tensorRtEnvironment } from './tensorrt-env.ts';
import { removeOwnDebugLog } from './ort-debug-files.ts';
import { gpuStandIn, vulkanLoaderProblem, WEBGPU_PROVIDER, webgpuFailure } from './gpu/gpu-availability.ts';
import { isGpuThread, openOnGpuThread } from './gpu/gpu-client.ts';

export interface SessionSpec {
  /** Stage id, for messages and the log line. */
  stage: string;
  model: string;
  provider: readonly ProviderName[];
  strict: boolean;
  deviceId: number;
  threads: NodeSettings['threads'];
  tensorrt: Readonly<TensorRtSettings>;
  graphOptimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Dynamic batching of this stage's calls where they are served for several threads (the GPU thread). */
  batch?: { max: number; delayMs: number };
  /** Where ORT writes the optimized graph (reloaded faster next time); unset = not written. */
  optimizedModelPath?: string;
}

export interface ProviderAttempt {
  provider: ProviderName;
  ok: boolean;
  reason?: string;
  /** ORT_TENSORRT_* variables in force while this attempt created its session. */
  environment: Record<string, string>;
}

export interface CreatedSession {
  session: InferenceSession;
  provider: ProviderName;
  attempts: ProviderAttempt[];
  /** One line: which provider was taken and why each earlier one was not. */
  logLine: string;
}

type Ort = typeof import('onnxruntime-node');
let ortModule: Promise<Ort> | undefined;
const loadOrt = () =>
  (ortModule ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: Ort }).default ?? m) as Ort));

/** Providers a session on `chain` is given: a GPU-thread provider never joins a worker's session. */
function executionProviders(
  spec: SessionSpec,
  chain: readonly ProviderName[],
): (string | { name: string; deviceId?: number; preferredLayout?: string })[] {
  const onGpu = chain[0] === 'webgpu';
  const names = chain.filter((name) => onGpu || name !== 'webgpu');
  const providers = names.map((name) => {
    if (name === 'cpu') return 'cpu';
    if (name === 'webgpu') return gpuStandIn() ?? WEBGPU_PROVIDER;
    return { name, deviceId: spec.deviceId };
  });
  return providers.filter((p, i) => p !== 'cpu' || providers.indexOf('cpu') === i);
}

export function sessionOptions(spec: SessionSpec, chain: readonly ProviderName[]): InferenceSession.SessionOptions {
  const spin = spec.threads.spinning ? '1' : '0';
  return {
    executionProviders: executionProviders(spec, chain) as InferenceSession.SessionOptions['executionProviders'],
    intraOpNumThreads: spec.threads.intraOp,
    interOpNumThreads: spec.threads.interOp,
    graphOptimizationLevel: spec.graphOptimization ?? 'all',
    ...(spec.optimizedModelPath ? { optimizedModelFilePath: spec.optimizedModelPath } : {}),
    // Fatal only: a failed run's error is thrown and reported once, in reel's own line; ORT would
    // also print it natively (`[E:onnxruntime:…] Non-zero status code…`) on stderr.
    logSeverityLevel: 4,
    // Idle ORT threads otherwise spin a core each, starving the other stages on a CPU machine.
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/** One try: a session on `chain` made in this thread, or why its first provider did not load. */
export async function openHere(
  spec: SessionSpec,
  chain: readonly ProviderName[],
): Promise<
  | { session: InferenceSession; environment: Record<string, string> }
  | { reason: string; environment: Record<string, string> }
> {
  const ort = await loadOrt();
  ort.env.logLevel = 'fatal'; // a failed GPU provider logs a native error; the log line says it once
  const provider = chain[0];
  if (provider === 'webgpu' && !gpuStandIn()) {
    const problem = vulkanLoaderProblem();
    if (problem) return { reason: problem, environment: {} };
  }
  // Only TensorRT reads settings from the process environment while a session is made; other
  // providers create in parallel (a run starting fifteen replicas does not queue them).
  const exclusive = provider === 'tensorrt' ? withCreationLock : <T>(fn: () => Promise<T>) => fn();
  return exclusive(async () => {
    const restore = applyEnvironment(provider === 'tensorrt' ? tensorRtEnvironment(spec.tensorrt) : {});
    // The TensorRT variables this attempt was made under; none matter to another provider.
    const environment = provider === 'tensorrt' ? currentTensorRtEnvironment() : {};
    try {
      const session = await ort.InferenceSession.create(spec.model, sessionOptions(spec, chain));
      return { session, environment };
    } catch (err) {
      if (isModelProblem(err))
        throw new ModelError(spec.model, `cannot load model for stage "${spec.stage}": ${shortReason(err)}`, {
          cause: err,
        });
      return { reason: failureReason(provider, err), environment };
    } finally {
      restore();
    }
  });
}

export async function createSession(spec: SessionSpec): Promise<CreatedSession> {
  const attempts: ProviderAttempt[] = [];
  for (let i = 0; i < spec.provider.length; i++) {
    const chain = spec.provider.slice(i);
    const provider = chain[0];
    // Every WebGPU session of the process lives on the GPU thread (Dawn crashes when two threads
    // use WebGPU sessions); the other providers are made where the stage runs.
    const opened =
      provider === 'webgpu' && !isGpuThread()
        ? { ...(await openOnGpuThread(spec, chain)), environment: {} }
        : await openHere(spec, chain);
    if ('session' in opened) {
      attempts.push({ provider, ok: true, environment: opened.environment });
      await removeOwnDebugLog();
      return {
        session: opened.session,
        provider,
        attempts,
        logLine: logLine(spec.stage, provider, attempts),
      };
    }
    attempts.push({ provider, ok: false, reason: opened.reason, environment: opened.environment });
    if (spec.strict) {
      const fix =
        provider === 'webgpu'
          ? 'give the machine a GPU that WebGPU reaches, or set strict: false to fall back'
          : 'fetch the CUDA libraries of onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js) or set strict: false to fall back';
      throw new ProviderError(
        `stage "${spec.stage}": provider ${provider} did not load (strict: true): ${opened.reason} — ${fix}`,
      );
    }
  }
  throw new ProviderError(
    `stage "${spec.stage}": no execution provider loaded: ${attempts.map((a) => `[${a.provider}] ${a.reason}`).join(', ')}`,
  );
}

function failureReason(provider: ProviderName, err: unknown): string {
  if (provider === 'webgpu') return webgpuFailure(err);
  const missing = provider === 'cpu' ? [] : missingProviderLibraries(provider);
  return missing.length ? `${missing.join(', ')} not installed` : shortReason(err);
}

/** Errors about the model file itself: no provider will do better, so stop at once. */
function isModelProblem(err: unknown): boolean {
  const m = err instanceof Error ? err.message : String(err);
  return /Load model .* failed|No such file|doesn't exist|Protobuf parsing failed|INVALID_PROTOBUF|INVALID_GRAPH|is not a valid/i.test(
    m,
  );
}

/** Whether a provider log line says the stage got its first choice (no "(not …)" part). */
export function isFirstChoiceLine(line: string): boolean {
  return /^stage "[^"]*": provider [\w-]+$/.test(line);
}

function logLine(stage: string, provider: ProviderName, attempts: readonly ProviderAttempt[]): string {
  const skipped = attempts.filter((a) => !a.ok).map((a) => `${a.provider}: ${a.reason}`);
  const standIn =
    provider === 'webgpu' && gpuStandIn() ? ` (on the GPU thread, the CPU standing in: REEL_GPU_STAND_IN)` : '';
  return `stage "${stage}": provider ${provider}${standIn}${skipped.length ? ` (not ${skipped.join('; not ')})` : ''}`;
}
