/**
 * A variant written by reel is checked before it is reported done: it loads in ONNX Runtime on
 * the CPU and, where its family is known, passes the family's contract — the same check a stage
 * makes before its first chunk.
 */
import * as ort from 'onnxruntime-node';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { ModelError } from '../core/errors.ts';
import { assertContract } from '../inference/contract-check.ts';

export async function checkVariant(bytes: Uint8Array, out: string, family?: string): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  } catch (err) {
    throw new ModelError(
      out,
      `the written model does not load in ONNX Runtime: ${(err as Error).message.split('\n')[0]}`,
    );
  }
  try {
    if (family && family in MANIFESTS)
      assertContract(session, MANIFESTS[family as FamilyId], { stage: 'check', model: out });
  } finally {
    await session.release();
  }
}
