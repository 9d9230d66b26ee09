/**
 * Opens the model of one of a stage's slots: the user's export as given, or the bundled reference
 * model of the family (built on first use), through the one model layer (src/inference/model.ts):
 * provider chain, contract check against the family manifest, warm-up from the manifest's shapes —
 * at the stage's precision (a variant built on first use, src/precision/variants.ts).
 */
import type { Scale } from '../../models/manifest.ts';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { ensureReferenceModel, referenceModelPath } from '../../models/reference.ts';
import type { ModelContract } from '../../src/core/contract.ts';
import type { StageCreateContext } from '../../src/core/stage.ts';
import { feedRecordingFor } from '../../src/inference/feed-recorder.ts';
import { openModel, type Model, type OpenModelOptions } from '../../src/inference/model.ts';
import type { ModelVariant } from '../../src/precision/variants.ts';

export type { Model } from '../../src/inference/model.ts';

/** The model file of `slot`: a user's export as given, or the reference model (built if missing). */
async function modelFile(ctx: StageCreateContext, slot: string, family: FamilyId): Promise<string> {
  const file = ctx.models[slot];
  if (!file) throw new Error(`no model for slot "${slot}"`);
  for (const scale of ['tiny', 'medium'] as Scale[]) {
    if (file === referenceModelPath(family, scale)) return ensureReferenceModel(family, scale);
  }
  return file;
}

/**
 * Another form of the same model that a stage prefers when the model has one (Silero VAD's
 * sequence form): `path` derives it from the model file, or gives undefined, and the model opens
 * as it is. The stage tells which it got by the returned model's `contract`.
 */
export interface AlternateForm extends Pick<OpenModelOptions, 'warmup'> {
  /** `warn`: a line for the run log when the form could not be had for a reason worth knowing. */
  path: (file: string, warn?: (line: string) => void) => Promise<string | undefined>;
  contract: ModelContract;
}

export async function openStageModel(
  ctx: StageCreateContext,
  slot: string,
  family: FamilyId,
  options: Pick<OpenModelOptions, 'warmup'> & { alternate?: AlternateForm } = {},
): Promise<Model> {
  const file = await modelFile(ctx, slot, family);
  // The quantizers load only for a stage that asks for another precision (~35 ms of a worker's start).
  const variant: ModelVariant =
    ctx.settings.precision === 'fp32'
      ? { path: file }
      : await (await import('../../src/precision/variants.ts')).modelVariant(
          file,
          ctx.settings.precision,
          ctx.settings.calibration,
        );
  if (variant.note) ctx.log(`stage "${ctx.id}": ${variant.note}`);
  if (variant.warning) ctx.log(variant.warning, 'warning');
  const { alternate, ...rest } = options;
  // Not while the model's feeds are recorded (calibration, comparisons): they must fit the model itself.
  const form =
    alternate && !feedRecordingFor(file)
      ? await alternate.path(variant.path, (line) => ctx.log(`stage "${ctx.id}": ${line}`, 'warning'))
      : undefined;
  return openModel({
    stage: ctx.id,
    path: form ?? variant.path,
    // A recording of the stage's feeds (calibration, comparisons) names the model it was given.
    recordAs: file,
    contract: form && alternate ? alternate.contract : MANIFESTS[family],
    settings: ctx.settings,
    log: ctx.log,
    ...(form && alternate ? { warmup: alternate.warmup } : rest),
  });
}
