/**
 * RVC voice conversion (SynthesizerTrnMsNSFsidM export): content features + F0 → speech in the
 * target voice at the model's rate. Pre-processing follows the WebUI client: 16 kHz, high-pass
 * Butterworth order 5 at 48 Hz, F0 at 100 frames/s, coarse pitch 1..255, noise × 0.66666.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

export const rvc = defineTransform({
  kind: 'rvc',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createRvcStage'),
  summary: 'Voice conversion: speech + content features → the target voice (RVC).',
  inputs: {
    audio: { type: 'audio', doc: 'Source speech (for F0), any rate.' },
    features: { type: 'tensor:content-features', doc: 'Content features at 50 frames/s from content-encoder.' },
    reference: {
      type: 'audio',
      doc: "A sample of the target voice; when wired, each chunk is transposed so the median F0 around it matches the sample's.",
      optional: true,
      whole: true,
    },
    speech: {
      type: 'tensor:speech-segments',
      doc: 'Speech spans from a `vad` stage; with `skipSilence`, only they (and a margin) are converted.',
      optional: true,
    },
  },
  outputs: { audio: { type: 'audio', doc: 'Converted speech at `sampleRate`.' } },
  options: z
    .strictObject({
      sampleRate: z
        .union([z.literal(32000), z.literal(40000), z.literal(48000)])
        .default(40000)
        .describe('Model output rate, Hz (hop 320/400/480). Must match the model. Default 40000.'),
      pitchShift: z.number().min(-24).max(24).default(0).describe('Transpose, semitones (f0 × 2^(key/12)). Default 0.'),
      autoPitch: z
        .boolean()
        .default(true)
        .describe(
          'With a `reference` wired, add the shift that matches its median F0 (per chunk, from the chunk and its context). Default true.',
        ),
      speakerId: z.number().int().min(0).default(0).describe('Speaker id fed as `ds`. Default 0.'),
      f0Method: z.enum(['yin']).default('yin').describe('F0 estimator. Default yin.'),
      f0MinHz: z.number().min(20).max(500).default(50).describe('Lowest F0, Hz. Default 50.'),
      f0MaxHz: z.number().min(200).max(2000).default(1100).describe('Highest F0, Hz. Default 1100.'),
      noiseScale: z
        .number()
        .min(0)
        .max(2)
        .default(0.66666)
        .describe('Scale of the `rnd` noise input (the WebUI uses 0.66666). Default 0.66666.'),
      seed: z
        .number()
        .int()
        .min(0)
        .default(0)
        .describe(
          'Seed of the noise; each 10 ms frame draws its noise from (seed, its position in the clip), so chunking does not change it. Default 0.',
        ),
      padSeconds: z
        .number()
        .min(0)
        .max(10)
        .default(1)
        .describe(
          'Context taken from the neighbouring chunks on each side, seconds (x_pad; at most one chunk). Default 1.',
        ),
      skipSilence: z
        .boolean()
        .default(false)
        .describe(
          'With `speech` wired (a vad stage), convert only the speech spans and `skipMarginMs` around them; the rest is the input passed through at the output rate, joined with 10 ms fades. Default false.',
        ),
      skipMarginMs: z
        .number()
        .min(20)
        .max(2000)
        .default(200)
        .describe('Converted on each side of a speech span, beyond it, ms. Default 200.'),
      skipContextMs: z
        .number()
        .min(0)
        .max(10000)
        .nullable()
        .default(null)
        .describe(
          'With `skipSilence`: context a converted range takes on each side where it meets a pause (beyond its margin), ms; where speech crosses a chunk edge it takes `padSeconds`; null = `padSeconds`. Default null.',
        ),
    })
    .refine((o) => o.f0MinHz < o.f0MaxHz, { message: 'f0MinHz must be below f0MaxHz', path: ['f0MinHz'] }),
  models: { synthesizer: { family: 'rvc', doc: 'phone, phone_lengths, pitch, pitchf, ds, rnd → audio.' } },
  thread: 'worker',
  item: { neighbours: { before: 1, after: 1 }, granularitySeconds: 0.01, evenCost: true },
});
