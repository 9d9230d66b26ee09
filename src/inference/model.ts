/**
 * The one model layer every inference stage uses. A Model is a session opened on the node's
 * provider chain (one log line saying which provider was taken), checked against its family's
 * contract before any chunk runs, warmed up on shapes taken from that contract, and run with feeds
 * and outputs addressed by the contract's names — never by position, so a reordered manifest
 * cannot swap feeds silently. Its release waits for a run in flight.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type * as ort from 'onnxruntime-node';
import type { ModelContract, TensorSpec } from '../core/contract.ts';
import { CancelledError, ModelError } from '../core/errors.ts';
import type { NodeSettings } from '../core/settings.ts';
import type { TensorData, TensorDType } from '../core/types.ts';
import { assertContract } from './contract-check.ts';
import { feedRecordingFor, recordingRuns } from './feed-recorder.ts';
import type { ProviderName } from './provider-probe.ts';
import type { LogLevel } from '../core/stage.ts';
import type { SessionSpec } from './session-factory.ts';
import { SessionPool } from './session-pool.ts';
import { fromOrt, isTensorData, toOrt, type Feed } from './ort-tensors.ts';

export { fromOrt, toOrt, type Feed } from './ort-tensors.ts';

export interface Model {
  /** The model file (a user's export, or the reference model). */
  readonly path: string;
  readonly provider: ProviderName;
  readonly contract: ModelContract;
  /** Input names the model declares (a subset of the contract's where inputs are optional). */
  readonly inputNames: readonly string[];
  /** The session's own metadata, for shapes a model fixes (e.g. a VAE's cache channels). */
  readonly session: Pick<InferenceSession, 'inputMetadata' | 'outputMetadata'>;
  /**
   * Runs on `feeds` named as in the contract (every required input; an optional one the model
   * lacks is left out) and returns every contract output the model has, by name, as plain data.
   */
  run(feeds: Readonly<Record<string, Feed>>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

export interface OpenModelOptions {
  /** For the log line and messages (the runtime adds the stage to errors itself). */
  stage: string;
  path: string;
  /** The file a feed recording knows the model by, when `path` is a variant built from it (src/precision/variants.ts). */
  recordAs?: string;
  contract: ModelContract;
  settings: NodeSettings;
  log: (line: string, level?: LogLevel) => void;
  /**
   * Warm-up feeds: sizes for the contract's symbolic axes (`{ T: 100 }`: zeros of that shape),
   * plus any feed given outright (a length that must match, an id that must be in range). Sizes a
   * model fixes itself (a text width, cache channels) come from a function of the opened model;
   * it returns undefined when there is no representative shape. Absent: no warm-up.
   */
  warmup?: {
    dims: WarmupDims | ((model: Pick<Model, 'path' | 'session'>) => WarmupDims | undefined);
    feeds?: Readonly<Record<string, Feed>>;
  };
}

type WarmupDims = Readonly<Record<string, number>>;

/** Sessions of this thread, shared by stages (and clips) that ask for the same model and settings. */
const SESSIONS = new SessionPool();

/**
 * Keep this thread's sessions open after their stages are disposed, for the next clip's stages
 * (a stage worker kept warm by a batch); `false` releases the ones kept.
 */
export function keepIdleSessions(keep: boolean): Promise<void> {
  return SESSIONS.keepIdle(keep);
}

const ARRAYS: Record<TensorDType, new (n: number) => TensorData['data']> = {
  float32: Float32Array,
  float16: Uint16Array,
  int64: BigInt64Array,
  int32: Int32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
};

/** Zeros shaped like `spec`, symbolic axes sized from `dims`. */
export function zerosFor(spec: TensorSpec, dims: Readonly<Record<string, number>>): TensorData {
  const shape = spec.shape.map((d) => {
    if (typeof d === 'number') return d;
    const size = dims[d];
    if (size === undefined) throw new Error(`warm-up of input "${spec.name}" needs a size for axis "${d}"`);
    return size;
  });
  return { dtype: spec.dtype, dims: shape, data: new ARRAYS[spec.dtype](shape.reduce((a, b) => a * b, 1)) };
}

function describeFeeds(feeds: Readonly<Record<string, Feed>>): string {
  return Object.entries(feeds)
    .map(([k, t]) => `${k} ${isTensorData(t) ? t.dtype : t.type}[${t.dims.join(',')}]`)
    .join(', ');
}

export async function openModel(o: OpenModelOptions): Promise<Model> {
  const spec: SessionSpec = {
    stage: o.stage,
    model: o.path,
    provider: o.settings.provider,
    strict: o.settings.strict,
    deviceId: o.settings.deviceId,
    threads: o.settings.threads,
    tensorrt: o.settings.tensorrt,
    ...(o.settings.batch ? { batch: o.settings.batch } : {}),
  };
  const created = await SESSIONS.acquire(spec);
  // A stage that did not get its first choice runs, but not where it was asked to: a warning.
  o.log(created.logLine, created.attempts.some((a) => !a.ok) ? 'warning' : 'info');
  const { session } = created;
  const inputNames = new Set(session.inputNames);
  const outputNames = new Set(session.outputNames);
  // Fixed per model: what a run checks its feeds against.
  const contractInputs = new Set(o.contract.inputs.map((i) => i.name));
  const requiredInputs = o.contract.inputs.filter((i) => inputNames.has(i.name)).map((i) => i.name);
  let inflight = 0;
  let closed = false;
  let idle: (() => void) | undefined;
  let released: Promise<void> | undefined;

  const run = async (feeds: Readonly<Record<string, Feed>>): Promise<Record<string, TensorData>> => {
    if (closed) throw new CancelledError(`${o.path} was released; no more runs`);
    const unknown = Object.keys(feeds).filter((name) => !contractInputs.has(name));
    const missing = requiredInputs.filter((name) => !(name in feeds));
    if (unknown.length || missing.length) {
      const parts = [
        unknown.length ? `not in the ${o.contract.family} contract: ${unknown.join(', ')}` : '',
        missing.length ? `missing: ${missing.join(', ')}` : '',
      ];
      throw new ModelError(o.path, `feeds do not match the contract (${parts.filter(Boolean).join('; ')})`);
    }
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) if (inputNames.has(name)) tensors[name] = toOrt(t);
    inflight++;
    let out: InferenceSession.ReturnType;
    try {
      // The tag names the stage to the GPU thread, which runs calls for many stages (gpu/).
      out = await session.run(tensors, { tag: o.stage });
    } catch (cause) {
      throw new ModelError(o.path, `run failed with feeds ${describeFeeds(feeds)}: ${(cause as Error).message}`, {
        cause,
      });
    } finally {
      if (--inflight === 0) idle?.();
    }
    const result: Record<string, TensorData> = {};
    for (const spec of o.contract.outputs) {
      const t = out[spec.name] as ort.Tensor | undefined;
      if (t) result[spec.name] = fromOrt(t);
      else if (!spec.optional && outputNames.has(spec.name))
        throw new ModelError(o.path, `output "${spec.name}" missing from the run`);
    }
    return result;
  };

  const release = () =>
    (released ??= (async () => {
      // Releasing a native session under a running inference aborts the process: wait for it.
      closed = true;
      if (inflight > 0) await new Promise<void>((resolve) => (idle = resolve));
      await SESSIONS.release(spec);
    })());

  try {
    assertContract(session, o.contract, { stage: o.stage, model: o.path });
    const dims =
      o.warmup && o.settings.warmup > 0 && !SESSIONS.warmed(spec)
        ? typeof o.warmup.dims === 'function'
          ? o.warmup.dims({ path: o.path, session })
          : o.warmup.dims
        : undefined;
    if (dims) {
      const feeds: Record<string, Feed> = {};
      for (const input of o.contract.inputs) {
        if (!inputNames.has(input.name)) continue;
        feeds[input.name] = o.warmup?.feeds?.[input.name] ?? zerosFor(input, dims);
      }
      for (let i = 0; i < o.settings.warmup; i++) await run(feeds);
      SESSIONS.markWarmed(spec);
    }
  } catch (err) {
    await release();
    throw err;
  }
  const recording = feedRecordingFor(o.recordAs ?? o.path);
  return {
    path: o.path,
    provider: created.provider,
    contract: o.contract,
    inputNames: [...inputNames],
    session,
    run: recording ? recordingRuns(recording, run) : run,
    release,
  };
}
