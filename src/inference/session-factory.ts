/**
 * Creates a stage's ONNX Runtime session on the first execution provider of its preference list
 * that loads. onnxruntime-node throws instead of falling back when a GPU provider's libraries are
 * missing, so each candidate is tried in turn — `[tensorrt, cuda, cpu]` tries
 * [tensorrt, cuda, cpu], then [cuda, cpu], then [cpu], so nodes a provider cannot run still fall
 * to the next one. Creation happens under a process-wide lock with the stage's ORT_TENSORRT_*
 * environment applied, so stages with different TensorRT settings never race.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { ModelError, ProviderError } from '../core/errors.ts';
import type { NodeSettings, TensorRtSettings } from '../graph/types.ts';
import { withCreationLock } from './creation-lock.ts';
import { missingProviderLibraries } from './provider-libraries.ts';
import { shortReason, type ProviderName } from './provider-probe.ts';
import { applyEnvironment, currentTensorRtEnvironment, tensorRtEnvironment } from './tensorrt-env.ts';
import { removeOwnDebugLog } from './ort-debug-files.ts';

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

export function sessionOptions(spec: SessionSpec, chain: readonly ProviderName[]): InferenceSession.SessionOptions {
  const spin = spec.threads.spinning ? '1' : '0';
  return {
    executionProviders: chain.map((name) => (name === 'cpu' ? 'cpu' : { name, deviceId: spec.deviceId })),
    intraOpNumThreads: spec.threads.intraOp,
    interOpNumThreads: spec.threads.interOp,
    graphOptimizationLevel: spec.graphOptimization ?? 'all',
    ...(spec.optimizedModelPath ? { optimizedModelFilePath: spec.optimizedModelPath } : {}),
    logSeverityLevel: 3,
    // Idle ORT threads otherwise spin a core each, starving the other stages on a CPU machine.
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

export async function createSession(spec: SessionSpec): Promise<CreatedSession> {
  const ort = await loadOrt();
  ort.env.logLevel = 'fatal'; // a failed GPU provider logs a native error; the log line says it once
  const attempts: ProviderAttempt[] = [];
  for (let i = 0; i < spec.provider.length; i++) {
    const chain = spec.provider.slice(i);
    const provider = chain[0];
    // Only TensorRT reads settings from the process environment while a session is made; other
    // providers create in parallel (a run starting fifteen replicas does not queue them).
    const exclusive = provider === 'tensorrt' ? withCreationLock : <T>(fn: () => Promise<T>) => fn();
    const created = await exclusive(async () => {
      const restore = applyEnvironment(provider === 'tensorrt' ? tensorRtEnvironment(spec.tensorrt) : {});
      // The TensorRT variables this attempt was made under; none matter to another provider.
      const environment = provider === 'tensorrt' ? currentTensorRtEnvironment() : {};
      try {
        const session = await ort.InferenceSession.create(spec.model, sessionOptions(spec, chain));
        attempts.push({ provider, ok: true, environment });
        return session;
      } catch (err) {
        attempts.push({ provider, ok: false, reason: failureReason(provider, err), environment });
        if (isModelProblem(err))
          throw new ModelError(spec.model, `cannot load model for stage "${spec.stage}": ${shortReason(err)}`, {
            cause: err,
          });
        return undefined;
      } finally {
        restore();
      }
    });
    if (created) {
      await removeOwnDebugLog();
      return { session: created, provider, attempts, logLine: logLine(spec.stage, provider, attempts) };
    }
    if (spec.strict) {
      const a = attempts[attempts.length - 1];
      throw new ProviderError(
        `stage "${spec.stage}": provider ${provider} did not load (strict: true): ${a.reason} — install the GPU build of onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=cuda12 npm install) or set strict: false to fall back`,
      );
    }
  }
  throw new ProviderError(
    `stage "${spec.stage}": no execution provider loaded: ${attempts.map((a) => `[${a.provider}] ${a.reason}`).join(', ')}`,
  );
}

function failureReason(provider: ProviderName, err: unknown): string {
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
  return `stage "${stage}": provider ${provider}${skipped.length ? ` (not ${skipped.join('; not ')})` : ''}`;
}
