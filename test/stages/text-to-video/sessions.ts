/** Real ONNX sessions on the bundled tiny reference models, one intra-op thread, quiet logs. */
import * as ort from 'onnxruntime-node';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { FamilyId } from '../../../models/manifests/index.ts';
import type { ModelHandle } from '../../../stages/shared/model-session.ts';

export const sessionOptions: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 };

export async function openModel(path: string): Promise<ModelHandle & { release: () => Promise<void> }> {
  const session = await ort.InferenceSession.create(path, sessionOptions);
  return { session, path, release: () => session.release() };
}

export async function openReference(family: FamilyId): Promise<ModelHandle & { release: () => Promise<void> }> {
  return openModel(await ensureReferenceModel(family, 'tiny'));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
