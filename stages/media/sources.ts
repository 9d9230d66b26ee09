/**
 * Media sources: one per pipeline input type. Each decodes the file bound with --input through
 * ffmpeg, pulled chunk by chunk (decoding pauses while the downstream edges are full).
 */
import { z } from 'zod';
import { defineSource } from '../../src/core/stage.ts';

const audioSourceOptions = z.strictObject({
  sampleRate: z
    .number()
    .int()
    .min(8000)
    .max(192000)
    .nullable()
    .default(null)
    .describe('Decode at this rate, Hz; null keeps the file rate (consumers resample). Default null.'),
  channels: z.number().int().min(1).max(8).default(1).describe('Channels after downmix. Default 1.'),
  maxSeconds: z
    .number()
    .positive()
    .max(86400)
    .nullable()
    .default(null)
    .describe(
      'Read only the first this many seconds (a voice prompt from a long recording), seconds; null = all. Default null.',
    ),
});
export type AudioSourceOptions = z.infer<typeof audioSourceOptions>;

const videoSourceOptions = z.strictObject({
  fps: z
    .number()
    .positive()
    .max(240)
    .nullable()
    .default(null)
    .describe('Frame rate, frames/s; null keeps the file rate. Default null.'),
  width: z
    .number()
    .int()
    .positive()
    .max(8192)
    .nullable()
    .default(null)
    .describe('Width, pixels; null keeps the file size. Default null.'),
  height: z
    .number()
    .int()
    .positive()
    .max(8192)
    .nullable()
    .default(null)
    .describe('Height, pixels; null keeps the file size. Default null.'),
  loop: z
    .enum(['repeat', 'pingpong'])
    .default('repeat')
    .describe(
      'How a face shorter than the speech goes on: from its first frame again, or back and forth (pingpong: no jump at the seam; the face must be held whole, see loopHoldMiB). Default repeat.',
    ),
  loopHoldMiB: z
    .number()
    .min(0)
    .max(65536)
    .default(256)
    .describe(
      'A face looped under the speech is held whole, decoded once, when its RGB takes at most this much; a longer one is decoded again at each pass, MiB. Default 256.',
    ),
});
export type VideoSourceOptions = z.infer<typeof videoSourceOptions>;

const imageSourceOptions = z.strictObject({
  fps: z.number().positive().max(240).default(25).describe('Frame rate of the still video, frames/s. Default 25.'),
  width: z
    .number()
    .int()
    .positive()
    .max(8192)
    .nullable()
    .default(null)
    .describe('Width, pixels; null keeps the image size. Default null.'),
  height: z
    .number()
    .int()
    .positive()
    .max(8192)
    .nullable()
    .default(null)
    .describe('Height, pixels; null keeps the image size. Default null.'),
});
export type ImageSourceOptions = z.infer<typeof imageSourceOptions>;

const textSourceOptions = z.strictObject({
  maxBytes: z
    .number()
    .int()
    .positive()
    .default(1_000_000)
    .describe('Refuse files larger than this, bytes. Default 1000000.'),
});
export type TextSourceOptions = z.infer<typeof textSourceOptions>;

export const audioSource = defineSource({
  kind: 'audio-source',
  summary: 'Decodes an audio (or video) file to Float32 PCM chunks.',
  inputs: {},
  outputs: { audio: { type: 'audio', doc: 'PCM chunks at the file rate, or `sampleRate` when set.' } },
  options: audioSourceOptions,
  create: async (options, ctx) => (await import('./audio-source.ts')).createAudioSource(options, ctx),
});

export const videoSource = defineSource({
  kind: 'video-source',
  summary: 'Decodes a video file to RGB frame chunks.',
  inputs: {},
  outputs: { frames: { type: 'video', doc: 'RGB24 frames at `fps` and size.' } },
  options: videoSourceOptions,
  create: async (options, ctx) => (await import('./video-source.ts')).createVideoSource(options, ctx),
});

export const imageSource = defineSource({
  kind: 'image-source',
  summary: 'Reads a still image; consumers that want video get it repeated at their fps.',
  inputs: {},
  outputs: { image: { type: 'image', doc: 'One RGB24 frame, repeated as a still video where video is wanted.' } },
  options: imageSourceOptions,
  create: async (options, ctx) => (await import('./image-source.ts')).createImageSource(options, ctx),
});

export const textSource = defineSource({
  kind: 'text-source',
  summary: 'Reads a UTF-8 text file (a script or a prompt).',
  inputs: {},
  outputs: { text: { type: 'text', doc: 'The whole text; text stages split it themselves (by sentence).' } },
  options: textSourceOptions,
  create: async (options, ctx) => (await import('./text-source.ts')).createTextSource(options, ctx),
});
