/**
 * Prompt encoder (T5 v1.1 family): the prompt padded/truncated to `maxTokens` → embeddings
 * [B, L, D]. With classifier-free guidance the batch is [negative, prompt]. Embeddings are cached
 * on disk by default: the same prompt is never encoded twice.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

export const textEncoderOptions = z.strictObject({
  maxTokens: z
    .number()
    .int()
    .min(8)
    .max(4096)
    .default(226)
    .describe('Token length after padding/truncation, tokens. Default 226.'),
  negativePrompt: z.string().default('').describe('Unconditional prompt for guidance. Default "".'),
});

export type TextEncoderOptions = z.infer<typeof textEncoderOptions>;

export const textEncoder = defineTransform({
  kind: 'text-encoder',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createTextEncoderStage'),
  summary: 'Prompt → text embeddings (T5-style), cached.',
  inputs: { prompt: { type: 'text', doc: 'The prompt.', whole: true } },
  outputs: { embeddings: { type: 'tensor:text-embeddings', doc: '[2, L, D] float32: [negative, prompt].' } },
  options: textEncoderOptions,
  models: { encoder: { family: 'text-encoder', doc: 'input_ids [B, L] int64 → [B, L, D].' } },
  // The only kind with an output cache: the `cache:` setting is refused on every other kind.
  accepts: { cache: true },
  // An ONNX run blocks its thread. The prompt is taken whole, so there is one item per clip.
  thread: 'worker',
  // Imported on use: `reel validate` loads the declarations and must not load onnxruntime.
});
