/**
 * Content features for RVC (ContentVec/HuBERT family): 16 kHz audio → features at 50 frames/s.
 * The encoder attends over the whole segment, so no finite context is exact; RVC's own client pads
 * each segment by `x_pad` = 1 s and cuts at silences, which is what the context below asks for.
 */
import { z } from 'zod';
import { defineStage } from '../../src/core/stage.ts';

export const contentEncoder = defineStage({
  kind: 'content-encoder',
  summary: 'Speech → content features (HuBERT/ContentVec) at 50 frames/s.',
  role: 'inference',
  inputs: { audio: { type: 'audio', doc: 'Speech; resampled to 16 kHz inside the stage.' } },
  outputs: { features: { type: 'tensor:content-features', doc: '[1, T, D] float32 at 50 frames/s (hop 320 at 16 kHz).' } },
  options: z.strictObject({
    padSeconds: z.number().min(0).max(10).default(1).describe('Context added on each side of a chunk, seconds (RVC x_pad). Default 1.'),
  }),
  models: { encoder: { family: 'content-encoder', doc: 'wav [1, N] at 16 kHz → features [1, T, D].' } },
  context: (o) => ({ beforeSeconds: o.padSeconds, afterSeconds: o.padSeconds, granularitySeconds: 320 / 16000 }),
  lookahead: 1,
  create: async (options, ctx) => (await import('./stage.ts')).createContentEncoderStage(options, ctx),
});
