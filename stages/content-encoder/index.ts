/**
 * Content features for RVC (ContentVec/HuBERT family): 16 kHz audio → features at 50 frames/s.
 * The encoder attends over the whole segment, so no finite context is exact; RVC's own client pads
 * each segment by `x_pad` = 1 s and cuts at silences: an item carries its neighbouring chunks, of
 * which `padSeconds` are used on each side.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

export const contentEncoder = defineTransform({
  kind: 'content-encoder',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createContentEncoderStage'),
  summary: 'Speech → content features (HuBERT/ContentVec) at 50 frames/s.',
  inputs: { audio: { type: 'audio', doc: 'Speech; resampled to 16 kHz inside the stage.' } },
  outputs: {
    features: { type: 'tensor:content-features', doc: '[1, T, D] float32 at 50 frames/s (hop 320 at 16 kHz).' },
  },
  options: z.strictObject({
    padSeconds: z
      .number()
      .min(0)
      .max(10)
      .default(1)
      .describe(
        'Context taken from the neighbouring chunks on each side, seconds (RVC x_pad; at most one chunk). Default 1.',
      ),
  }),
  models: { encoder: { family: 'content-encoder', doc: 'wav [1, 1, N] at 16 kHz → features [1, T, D].' } },
  thread: 'worker',
  item: { neighbours: { before: 1, after: 1 }, granularitySeconds: 320 / 16000, evenCost: true },
});
