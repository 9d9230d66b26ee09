/** The FastPitch reference model through the one model layer, as the stage opens it. */
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import { DEFAULT_NODE_SETTINGS } from '../../../src/core/settings.ts';
import { openModel, type Model } from '../../../src/inference/model.ts';

export async function openFastpitch(): Promise<Model> {
  const path = await ensureReferenceModel('fastpitch');
  return openModel({
    stage: 'test',
    path,
    contract: MANIFESTS.fastpitch,
    settings: { ...DEFAULT_NODE_SETTINGS, warmup: 0 },
    log: () => {},
  });
}
