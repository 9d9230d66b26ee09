/** The one table of model families: id → manifest. */
import type { ModelManifest } from '../manifest.ts';
import { contentEncoder } from './content-encoder.ts';
import { dit } from './dit.ts';
import { faceDetect } from './face-detect.ts';
import { fastpitch } from './fastpitch.ts';
import { hifigan } from './hifigan.ts';
import { rvc } from './rvc.ts';
import { sileroVad } from './silero-vad.ts';
import { textEncoder } from './text-encoder.ts';
import { vae } from './vae.ts';
import { vallexAr } from './vallex-ar.ts';
import { vallexCodec } from './vallex-codec.ts';
import { vallexNar } from './vallex-nar.ts';
import { wav2lip } from './wav2lip.ts';

export const FAMILY_IDS = [
  'content-encoder',
  'rvc',
  'vallex-ar',
  'vallex-nar',
  'vallex-codec',
  'fastpitch',
  'hifigan',
  'wav2lip',
  'face-detect',
  'text-encoder',
  'dit',
  'vae',
  'silero-vad',
] as const;

export type FamilyId = (typeof FAMILY_IDS)[number];

export const MANIFESTS: Readonly<Record<FamilyId, ModelManifest>> = Object.freeze({
  'content-encoder': contentEncoder,
  rvc,
  'vallex-ar': vallexAr,
  'vallex-nar': vallexNar,
  'vallex-codec': vallexCodec,
  fastpitch,
  hifigan,
  wav2lip,
  'face-detect': faceDetect,
  'text-encoder': textEncoder,
  dit,
  vae,
  'silero-vad': sileroVad,
});

export function isFamilyId(value: string): value is FamilyId {
  return (FAMILY_IDS as readonly string[]).includes(value);
}
