/**
 * VALL-E X zero-shot TTS (axinc ONNX split): an acoustic prompt (≤ 15 s of the target voice) and a
 * script → 24 kHz speech. The AR decoder samples codebook 1 with a KV cache until EOS (1024) or
 * 16 × text length; the NAR decoder fills codebooks 2–8; the codec decodes to audio. Long scripts
 * go sentence by sentence; token streams are joined before decoding, so there is no audio seam.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

const vallexOptions = z.strictObject({
  language: z.enum(['en', 'zh', 'ja']).default('en').describe('Language of the script. Default en.'),
  temperature: z.number().min(0.01).max(5).default(1).describe('Sampling temperature of the AR decoder. Default 1.'),
  topK: z
    .number()
    .int()
    .min(0)
    .max(1025)
    .default(0)
    .describe('Sample among the k most likely codes; 0 = all. Default 0.'),
  maxLengthFactor: z
    .number()
    .min(1)
    .max(64)
    .default(16)
    .describe('Stop after this many codes per text token. Default 16.'),
  promptSeconds: z.number().min(1).max(15).default(15).describe('Longest prompt used, seconds. Default 15.'),
  promptMode: z
    .enum(['fixed', 'sliding'])
    .default('fixed')
    .describe('Keep the voice prompt, or use the previous sentence as prompt. Default fixed.'),
  seed: z.number().int().min(0).default(0).describe('Sampling seed. Default 0.'),
});

/** Options of the vallex stage (the schema's type, never a hand-copied interface). */
export type VallexStageOptions = z.infer<typeof vallexOptions>;

export const vallex = defineTransform({
  kind: 'vallex',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createVallexStage'),
  summary: 'Zero-shot TTS (VALL-E X): script + voice prompt → 24 kHz speech.',
  inputs: {
    text: { type: 'text', doc: 'The script.', whole: true },
    prompt: { type: 'audio', doc: 'Voice prompt, ≤ `promptSeconds` used; resampled to 24 kHz.', whole: true },
    promptText: { type: 'text', doc: "The prompt's transcript (improves cloning).", optional: true, whole: true },
  },
  outputs: { audio: { type: 'audio', doc: 'Speech at 24000 Hz, sentence by sentence.' } },
  options: vallexOptions,
  models: {
    ar: { family: 'vallex-ar', doc: 'AR decoder step with KV cache → logits [1, 1025].' },
    nar: { family: 'vallex-nar', doc: 'NAR decoder for codebooks 2–8.' },
    codec: { family: 'vallex-codec', doc: 'Codes [8, 1, T] → 24 kHz audio (hop 320).' },
  },
  thread: 'worker',
  // One item per clip (every input is whole); the sentence loop and the codec's pending codes
  // carry over from chunk to chunk of the output.
  item: { stateful: true },
});
