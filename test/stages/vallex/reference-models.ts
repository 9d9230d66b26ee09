/** The VALL-E X reference models opened through the one model layer, as the stage opens them. */
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { openModel, type Model } from '../../../src/inference/model.ts';

export type VallexFamily = 'vallex-ar' | 'vallex-nar' | 'vallex-codec';

export async function openReference(family: VallexFamily): Promise<Model> {
  const path = await ensureReferenceModel(family);
  return openModel({
    stage: 'test',
    path,
    contract: MANIFESTS[family],
    settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0 },
    log: () => {},
  });
}

/** AR, NAR and codec, in that order. */
export function openVallexModels(): Promise<[Model, Model, Model]> {
  return Promise.all([openReference('vallex-ar'), openReference('vallex-nar'), openReference('vallex-codec')]);
}
