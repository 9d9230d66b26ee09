/**
 * FastPitch: script → mel spectrogram [1, 80, T] at 22050 Hz / hop 256, with length regulation
 * reps = floor(dur / pace + 0.5). Sentences are synthesised one by one (the encoder attends over
 * the whole sentence).
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

const fastpitchOptions = z.strictObject({
  pace: z.number().min(0.25).max(4).default(1).describe('Speaking rate multiplier (durations ÷ pace). Default 1.'),
  pitchShift: z.number().min(-12).max(12).default(0).describe('Pitch transform, semitones. Default 0.'),
  speaker: z.number().int().min(0).default(0).describe('Speaker id for multi-speaker models. Default 0.'),
});

/** Options of the fastpitch stage (the schema's type, never a hand-copied interface). */
export type FastpitchStageOptions = z.infer<typeof fastpitchOptions>;

export const fastpitch = defineTransform({
  kind: 'fastpitch',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createFastpitchStage'),
  summary: 'Fast TTS acoustic model: script → log-mel (FastPitch).',
  inputs: { text: { type: 'text', doc: 'The script, english_basic symbols after english_cleaners_v2.', whole: true } },
  outputs: { mel: { type: 'tensor:mel', doc: 'log-mel [1, 80, T] at 22050/256 frames/s.' } },
  options: fastpitchOptions,
  models: { acoustic: { family: 'fastpitch', doc: 'text ids → mel, durations, pitch.' } },
  thread: 'worker',
  // One item per clip (the script is whole); the sentence loop carries over from chunk to chunk.
  item: { stateful: true },
});
