/** Models on the bundled tiny reference files through the one model layer, one thread, no warm-up. */
import { MANIFESTS, type FamilyId } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { openModel, type Model } from '../../../src/inference/model.ts';

/** `path` opened and checked against `family`'s contract (a file that does not fit is refused). */
export function openModelFile(path: string, family: FamilyId): Promise<Model> {
  return openModel({
    stage: 'test',
    path,
    contract: MANIFESTS[family],
    settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0 },
    log: () => {},
  });
}

export async function openReference(family: FamilyId): Promise<Model> {
  return openModelFile(await ensureReferenceModel(family, 'tiny'), family);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
