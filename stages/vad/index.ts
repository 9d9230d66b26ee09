/**
 * Voice activity on Silero VAD v5: speech probability per 32 ms frame of 16 kHz audio, the LSTM
 * state carried from frame to frame (from a warm-up before each chunk), turned into speech segments by silero-vad's
 * own rule (thresholds with hysteresis, minimum speech and silence, padding). Its output is a speech
 * track: for each chunk, the speech spans within it — what `rvc`'s `skipSilence` reads.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

export const vadOptions = z.strictObject({
  threshold: z
    .number()
    .min(0.05)
    .max(0.95)
    .default(0.5)
    .describe('Speech starts at a frame whose speech probability reaches this. Default 0.5.'),
  negThreshold: z
    .number()
    .min(0)
    .max(0.95)
    .nullable()
    .default(null)
    .describe(
      'Speech may end only below this probability (hysteresis); null = threshold − 0.15, as silero-vad. Default null.',
    ),
  minSpeechMs: z
    .number()
    .min(0)
    .max(10_000)
    .default(250)
    .describe('Speech shorter than this is dropped, ms. Default 250.'),
  minSilenceMs: z
    .number()
    .min(0)
    .max(10_000)
    .default(100)
    .describe('Silence must last this long to end speech, ms. Default 100.'),
  speechPadMs: z
    .number()
    .min(0)
    .max(2_000)
    .default(30)
    .describe('Added before and after each speech segment, ms. Default 30.'),
  warmupSeconds: z
    .number()
    .min(0.5)
    .max(5)
    .default(1.5)
    .describe(
      'Audio before the chunk (from the previous one) that the model and the segment rule run over first, from a zero state, seconds. Default 1.5.',
    ),
});

export const vad = defineTransform({
  kind: 'vad',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createVadStage'),
  summary: 'Speech segments (Silero VAD v5): where in each chunk someone speaks.',
  inputs: { audio: { type: 'audio', doc: 'Any rate; resampled to 16 kHz inside the stage.' } },
  outputs: {
    speech: {
      type: 'tensor:speech-segments',
      doc: '[S, 2] int32: start and end (exclusive) of each speech span within the chunk, as 16 kHz sample indices of the clip.',
    },
  },
  options: vadOptions,
  models: {
    vad: { family: 'silero-vad', doc: '[B, 576] 16 kHz + state [2, B, 128] + sr → probability [B, 1], stateN.' },
  },
  thread: 'worker',
  // Each chunk starts from a zero state `warmupSeconds` into the chunk before (the recurrent state
  // forgets within a second), so chunks are independent and the stage runs on several at once;
  // the next chunk lets a segment's end (or a short one's fate) be decided before the spans are sent.
  item: { neighbours: { before: 1, after: 1 }, evenCost: true },
});
