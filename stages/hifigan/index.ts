/**
 * HiFi-GAN vocoder: mel [1, 80, T] → audio [1, 1, 256·T] at 22050 Hz. Its receptive field is about
 * ±13 mel frames, so each run sees `contextFrames` of mel each side of the frames it owns, taken
 * from the item's neighbouring chunks.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

const HOP = 256;
const RATE = 22050;

export const hifigan = defineTransform({
  kind: 'hifigan',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createHifiganStage'),
  summary: 'Neural vocoder: mel → 22.05 kHz audio (HiFi-GAN).',
  inputs: { mel: { type: 'tensor:mel', doc: 'log-mel [1, 80, T].' } },
  outputs: { audio: { type: 'audio', doc: 'Audio at 22050 Hz, 256 samples per mel frame.' } },
  options: z.strictObject({
    contextFrames: z
      .number()
      .int()
      .min(0)
      .max(256)
      .default(32)
      .describe(
        'Mel frames of context each side of the owned frames of a run, frames (from the neighbouring chunks). Default 32.',
      ),
    chunkFrames: z
      .number()
      .int()
      .min(16)
      .max(4096)
      .default(256)
      .describe('Owned mel frames per run (fixed shape), frames. Default 256.'),
  }),
  models: { vocoder: { family: 'hifigan', doc: 'mel [B, 80, T] → audio [B, 1, 256·T].' } },
  thread: 'worker',
  item: { neighbours: { before: 1, after: 1 }, granularitySeconds: HOP / RATE, evenCost: true },
});
