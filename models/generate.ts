/**
 * Builds the bundled reference models: one ONNX graph per family and scale, seeded by
 * `family/scale`, so the same source always yields the same bytes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UsageError } from '../src/core/errors.ts';
import { buildContentEncoder } from './families/content-encoder.ts';
import { buildDit } from './families/dit.ts';
import { buildFaceDetect } from './families/face-detect.ts';
import { buildFastpitch } from './families/fastpitch.ts';
import { buildHifigan } from './families/hifigan.ts';
import { buildRvc } from './families/rvc.ts';
import { buildTextEncoder } from './families/text-encoder.ts';
import { buildVae } from './families/vae.ts';
import { buildVallexAr } from './families/vallex-ar.ts';
import { buildVallexCodec } from './families/vallex-codec.ts';
import { buildVallexNar } from './families/vallex-nar.ts';
import { buildSileroVad } from './families/silero-vad.ts';
import { buildWav2lip } from './families/wav2lip.ts';
import { SCALES, type Scale } from './manifest.ts';
import { FAMILY_IDS, MANIFESTS, isFamilyId, type FamilyId } from './manifests/index.ts';
import { writeFileAtomic } from './write-atomic.ts';

// Each builder takes its own manifest's hyper-parameters; the table pairs them by family id.
// biome-ignore lint/suspicious/noExplicitAny: a builder takes its own family's hyper-parameter type
const BUILDERS: Readonly<Record<FamilyId, (h: any, seed: string) => Uint8Array>> = {
  'content-encoder': buildContentEncoder,
  rvc: buildRvc,
  'vallex-ar': buildVallexAr,
  'vallex-nar': buildVallexNar,
  'vallex-codec': buildVallexCodec,
  fastpitch: buildFastpitch,
  hifigan: buildHifigan,
  wav2lip: buildWav2lip,
  'face-detect': buildFaceDetect,
  'text-encoder': buildTextEncoder,
  dit: buildDit,
  vae: buildVae,
  'silero-vad': buildSileroVad,
};

function checkArgs(family: string, scale: string): asserts family is FamilyId {
  if (!isFamilyId(family))
    throw new UsageError(`unknown model family "${family}"; expected one of: ${FAMILY_IDS.join(', ')}`);
  if (!(SCALES as readonly string[]).includes(scale))
    throw new UsageError(`unknown model scale "${scale}"; expected one of: ${SCALES.join(', ')}`);
}

/** The ONNX bytes of one reference model (deterministic). */
export function buildReferenceModel(family: FamilyId, scale: Scale = 'tiny'): Uint8Array {
  checkArgs(family, scale);
  return BUILDERS[family](MANIFESTS[family].scales[scale], `${family}/${scale}`);
}

export interface BuildReferenceModelsOptions {
  scale?: Scale;
  /** Files go to `<outDir>/<family>.onnx`. */
  outDir: string;
  families?: readonly FamilyId[];
}

/** Writes every (or the given) family's reference model atomically; returns the paths written. */
export async function buildReferenceModels(options: BuildReferenceModelsOptions): Promise<string[]> {
  const scale = options.scale ?? 'tiny';
  const paths: string[] = [];
  for (const family of options.families ?? FAMILY_IDS) {
    const path = join(options.outDir, `${family}.onnx`);
    const bytes = buildReferenceModel(family, scale);
    // An unchanged file keeps its time: a batch journal keys models by size and modification time.
    const existing = await readFile(path).catch(() => undefined);
    if (!existing || Buffer.compare(existing, bytes) !== 0) await writeFileAtomic(path, bytes);
    paths.push(path);
  }
  return paths;
}
