/**
 * The one list of built-in stage kinds. A kind not listed here does not exist for pipelines.
 */
import type { StageDefinition } from '../src/core/stage.ts';
import { contentEncoder } from './content-encoder/index.ts';
import { dit } from './dit/index.ts';
import { faceDetect } from './face-detect/index.ts';
import { fastpitch } from './fastpitch/index.ts';
import { hifigan } from './hifigan/index.ts';
import { mp4Sink, wavSink } from './media/sinks.ts';
import { audioSource, imageSource, textSource, videoSource } from './media/sources.ts';
import { rvc } from './rvc/index.ts';
import { textEncoder } from './text-encoder/index.ts';
import { vae } from './vae/index.ts';
import { vad } from './vad/index.ts';
import { vallex } from './vallex/index.ts';
import { wav2lip } from './wav2lip/index.ts';

const all: readonly StageDefinition[] = [
  audioSource,
  videoSource,
  imageSource,
  textSource,
  wavSink,
  mp4Sink,
  contentEncoder,
  rvc,
  vallex,
  fastpitch,
  hifigan,
  faceDetect,
  wav2lip,
  textEncoder,
  dit,
  vae,
  vad,
] as unknown as readonly StageDefinition[];

export const STAGE_KINDS: Readonly<Record<string, StageDefinition>> = Object.freeze(
  Object.fromEntries(all.map((def) => [def.kind, def])),
);

/** Source kind that decodes a pipeline input of each type. */
export const SOURCE_KIND_FOR_INPUT = Object.freeze({
  audio: 'audio-source',
  video: 'video-source',
  image: 'image-source',
  text: 'text-source',
} as const);

/** Sink kind that writes a pipeline output of each format. */
export const SINK_KIND_FOR_OUTPUT = Object.freeze({ wav: 'wav-sink', mp4: 'mp4-sink' } as const);
