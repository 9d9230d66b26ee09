/**
 * Prompt encoder (T5 v1.1 family): the prompt padded/truncated to `maxTokens` → embeddings
 * [B, L, D]. With classifier-free guidance the batch is [negative, prompt]. Embeddings are cached
 * on disk by default: the same prompt is never encoded twice.
 */
import { z } from 'zod';
import { defineStage } from '../../src/core/stage.ts';

export const textEncoder = defineStage({
  kind: 'text-encoder',
  summary: 'Prompt → text embeddings (T5-style), cached.',
  role: 'inference',
  inputs: { prompt: { type: 'text', doc: 'The prompt.', whole: true } },
  outputs: { embeddings: { type: 'tensor:text-embeddings', doc: '[2, L, D] float32: [negative, prompt].' } },
  options: z.strictObject({
    maxTokens: z.number().int().min(8).max(4096).default(226).describe('Token length after padding/truncation, tokens. Default 226.'),
    negativePrompt: z.string().default('').describe('Unconditional prompt for guidance. Default "".'),
  }),
  models: { encoder: { family: 'text-encoder', doc: 'input_ids [B, L] int64 → [B, L, D].' } },
  context: () => ({ beforeSeconds: 0, afterSeconds: 0, wholeClip: true }),
  // Imported on use: `reel validate` loads the declarations and must not load onnxruntime.
  create: async (options, ctx) => (await import('./stage.ts')).createTextEncoderStage(options, ctx),
});
