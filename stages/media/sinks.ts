/**
 * Media sinks: one per output format. Each writes to a temp name in --out DIR and renames it onto
 * the final name only when every output of the run has been written.
 */
import { z } from 'zod';
import { defineSink } from '../../src/core/stage.ts';

const wavSinkOptions = z.strictObject({
  file: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('File name in --out DIR; null = "<output name>.wav". Default null.'),
  sampleFormat: z.enum(['s16', 'f32']).default('s16').describe('PCM sample format. Default s16.'),
  sampleRate: z
    .number()
    .int()
    .min(8000)
    .max(192000)
    .nullable()
    .default(null)
    .describe('Resample to this rate, Hz; null keeps the stream rate. Default null.'),
});
export type WavSinkOptions = z.infer<typeof wavSinkOptions>;

const mp4SinkOptions = z.strictObject({
  file: z
    .string()
    .min(1)
    .nullable()
    .default(null)
    .describe('File name in --out DIR; null = "<output name>.mp4". Default null.'),
  crf: z
    .number()
    .int()
    .min(0)
    .max(51)
    .default(20)
    .describe('H.264 constant rate factor (lower = better, bigger). Default 20.'),
  preset: z
    .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'])
    .default('veryfast')
    .describe('x264 speed preset. Default veryfast.'),
  audioBitrateKbps: z.number().int().min(32).max(512).default(128).describe('AAC bitrate, kbit/s. Default 128.'),
});
export type Mp4SinkOptions = z.infer<typeof mp4SinkOptions>;

export const wavSink = defineSink({
  kind: 'wav-sink',
  summary: 'Writes audio chunks to a WAV file.',
  inputs: { audio: { type: 'audio', doc: 'Stitched audio.' } },
  outputs: {},
  options: wavSinkOptions,
  create: async (options, ctx) => (await import('./wav-sink.ts')).createWavSink(options, ctx),
});

export const mp4Sink = defineSink({
  kind: 'mp4-sink',
  summary: 'Muxes frames and audio into an MP4 (H.264 + AAC).',
  inputs: {
    frames: { type: 'video', doc: 'Frames; the file takes their fps and size.' },
    audio: { type: 'audio', doc: 'Soundtrack.', optional: true },
  },
  outputs: {},
  options: mp4SinkOptions,
  create: async (options, ctx) => (await import('./mp4-sink.ts')).createMp4Sink(options, ctx),
});
