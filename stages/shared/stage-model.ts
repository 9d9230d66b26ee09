/**
 * A stage's ONNX model, opened the way every inference stage opens it: the reference model built
 * on demand when `model:` was not given, the session created on the node's provider chain (one
 * log line saying which provider was taken and why not the others), checked against the family
 * contract before any chunk runs, and warmed up `warmup` times.
 */
import type { InferenceSession } from 'onnxruntime-common';
import * as ort from 'onnxruntime-node';
import type { Scale } from '../../models/manifest.ts';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { ensureReferenceModel, referenceModelPath } from '../../models/reference.ts';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import type { StageCreateContext } from '../../src/core/stage.ts';
import type { TensorData } from '../../src/core/types.ts';
import { assertContract } from '../../src/inference/contract-check.ts';
import type { ProviderName } from '../../src/inference/provider-probe.ts';
import type { SessionSpec } from '../../src/inference/session-factory.ts';
import { SessionPool } from '../../src/inference/session-pool.ts';
import { warmUp } from '../../src/inference/warmup.ts';
import { guardModel } from './guarded-model.ts';



const SESSIONS = new SessionPool();

export interface StageModel {
  session: InferenceSession;
  path: string;
  provider: ProviderName;
  /** Runs with plain tensors in and out (outputs copied out of ORT's buffers). */
  run(feeds: Readonly<Record<string, TensorData>>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

export function toOrt(t: TensorData): ort.Tensor {
  return new ort.Tensor(t.dtype as 'float32', t.data as Float32Array, t.dims as number[]);
}

export function fromOrt(t: ort.Tensor): TensorData {
  return { dtype: t.type as TensorData['dtype'], dims: [...t.dims], data: t.data as TensorData['data'] };
}

/** The model file of `slot`: a user's export as given, or the reference model (built if missing). */
async function modelFile(ctx: StageCreateContext, slot: string, family: FamilyId): Promise<string> {
  const file = ctx.models[slot];
  if (!file) throw new Error(`stage "${ctx.id}" has no model for slot "${slot}"`);
  for (const scale of ['tiny', 'medium'] as Scale[]) {
    if (file === referenceModelPath(family, scale)) return ensureReferenceModel(family, scale);
  }
  return file;
}

export async function openStageModel(
  ctx: StageCreateContext,
  slot: string,
  family: FamilyId,
  options: { warmupFeeds?: () => Record<string, TensorData> } = {},
): Promise<StageModel> {
  const settings = ctx.settings ?? DEFAULT_NODE_SETTINGS;
  const path = await modelFile(ctx, slot, family);
  const spec: SessionSpec = {
    stage: ctx.id,
    model: path,
    provider: settings.provider,
    strict: settings.strict,
    deviceId: settings.deviceId,
    threads: settings.threads,
    tensorrt: settings.tensorrt,
  };
  // One session per model and settings in this thread: stages (or clips) that ask for the same
  // model with the same settings share it instead of loading it twice.
  const created = await SESSIONS.acquire(spec);
  ctx.log(created.logLine);
  const { session } = created;
  try {
    assertContract(session, MANIFESTS[family], { stage: ctx.id, model: path });
    if (settings.warmup > 0 && options.warmupFeeds) await warmUp(session, options.warmupFeeds(), settings.warmup, toOrt);
  } catch (err) {
    await SESSIONS.release(spec);
    throw err;
  }
  // Release waits for a run in flight: releasing a native session under a running inference
  // (a failing run disposing a stage mid-chunk) aborts the whole process.
  const guarded = guardModel({ session, path, release: () => SESSIONS.release(spec) }, ctx.id);
  return {
    session: guarded.session,
    path,
    provider: created.provider,
    async run(feeds) {
      const out = await guarded.session.run(Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, toOrt(t)])));
      return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, fromOrt(t as ort.Tensor)]));
    },
    release: guarded.release,
  };
}
