/**
 * HiFi-GAN vocoder: mel [1, 80, T] → audio [1, 1, 256·T] at 22050 Hz. Its receptive field is about
 * ±13 mel frames, so chunks get `contextFrames` of mel each side and are crossfaded after.
 */
import { z } from 'zod';
import { defineStage } from '../../src/core/stage.ts';

const HOP = 256;
const RATE = 22050;

export const hifigan = defineStage({
  kind: 'hifigan',
  summary: 'Neural vocoder: mel → 22.05 kHz audio (HiFi-GAN).',
  role: 'inference',
  inputs: { mel: { type: 'tensor:mel', doc: 'log-mel [1, 80, T].' } },
  outputs: { audio: { type: 'audio', doc: 'Audio at 22050 Hz, 256 samples per mel frame.' } },
  options: z.strictObject({
    contextFrames: z.number().int().min(0).max(256).default(32).describe('Mel frames of context each side of a chunk, frames. Default 32.'),
    chunkFrames: z.number().int().min(16).max(4096).default(256).describe('Owned mel frames per run (fixed shape), frames. Default 256.'),
  }),
  models: { vocoder: { family: 'hifigan', doc: 'mel [B, 80, T] → audio [B, 1, 256·T].' } },
  context: (o) => ({
    beforeSeconds: (o.contextFrames * HOP) / RATE,
    afterSeconds: (o.contextFrames * HOP) / RATE,
    granularitySeconds: HOP / RATE,
  }),
  lookahead: 1,
  create: async (options, ctx) => (await import('./stage.ts')).createHifiganStage(options, ctx),
});
