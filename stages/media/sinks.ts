/**
 * Media sinks: one per output format. Each writes to a temp name in --out DIR and renames it onto
 * the final name only when the whole stream has been written.
 */
import { z } from 'zod';
import { defineStage } from '../../src/core/stage.ts';

export const wavSink = defineStage({
  kind: 'wav-sink',
  summary: 'Writes audio chunks to a WAV file.',
  role: 'sink',
  inputs: { audio: { type: 'audio', doc: 'Stitched audio.' } },
  outputs: {},
  options: z.strictObject({
    file: z.string().min(1).nullable().default(null).describe('File name in --out DIR; null = "<output name>.wav". Default null.'),
    sampleFormat: z.enum(['s16', 'f32']).default('s16').describe('PCM sample format. Default s16.'),
    sampleRate: z.number().int().min(8000).max(192000).nullable().default(null).describe('Resample to this rate, Hz; null keeps the stream rate. Default null.'),
  }),
  create: async (options, ctx) => (await import('./wav-sink.ts')).createWavSink(options, ctx),
});

export const mp4Sink = defineStage({
  kind: 'mp4-sink',
  summary: 'Muxes frames and audio into an MP4 (H.264 + AAC).',
  role: 'sink',
  inputs: {
    frames: { type: 'video', doc: 'Frames; the file takes their fps and size.' },
    audio: { type: 'audio', doc: 'Soundtrack.', optional: true },
  },
  outputs: {},
  options: z.strictObject({
    file: z.string().min(1).nullable().default(null).describe('File name in --out DIR; null = "<output name>.mp4". Default null.'),
    crf: z.number().int().min(0).max(51).default(20).describe('H.264 constant rate factor (lower = better, bigger). Default 20.'),
    preset: z
      .enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow'])
      .default('veryfast')
      .describe('x264 speed preset. Default veryfast.'),
    audioBitrateKbps: z.number().int().min(32).max(512).default(128).describe('AAC bitrate, kbit/s. Default 128.'),
  }),
  // ffmpeg takes item k's frames and audio only once it has enough of both streams past them
  // (their chunk boundaries differ), so the sink holds the next item while finishing one.
  lookahead: 1,
  create: async (options, ctx) => (await import('./mp4-sink.ts')).createMp4Sink(options, ctx),
});
