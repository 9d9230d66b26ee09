/**
 * 3D VAE decoder (CogVideoX-style): latents / scalingFactor, decoded causally in time in batches
 * of `latentFramesPerRun` latent frames carrying the conv cache, and optionally in spatial tiles
 * blended linearly over their overlap. Output frames are mapped from [−1, 1] to RGB.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

export const vaeOptions = z.strictObject({
  scalingFactor: z
    .number()
    .positive()
    .default(1.15258426)
    .describe('Latents are divided by this (CogVideoX-2B: 1.15258426). Default 1.15258426.'),
  latentFramesPerRun: z
    .number()
    .int()
    .min(2)
    .max(64)
    .multipleOf(2)
    .default(2)
    .describe('Latent frames decoded per run, even (the first run takes one more), frames. Default 2.'),
  tiling: z.boolean().default(false).describe('Decode in spatial tiles to bound memory. Default false.'),
  tileLatents: z
    .tuple([z.number().int().positive(), z.number().int().positive()])
    .default([30, 45])
    .describe('Tile size in latents, [height, width]. Default [30, 45].'),
  tileOverlap: z
    .tuple([z.number().min(0).max(0.5), z.number().min(0).max(0.5)])
    .default([1 / 6, 1 / 5])
    .describe('Tile overlap as a fraction of the tile, [height, width]. Default [1/6, 1/5].'),
  fps: z.number().positive().max(120).default(8).describe('Frame rate of the decoded video, frames/s. Default 8.'),
  contextLatentFrames: z
    .number()
    .int()
    .min(0)
    .max(64)
    .nullable()
    .default(null)
    .describe(
      "For a decoder exported without conv_cache: latent frames decoded before each run and dropped, so its causal convs see real history; exact when the decoder reaches no further back. null = the vae family's 6. Default null.",
    ),
});

export type VaeOptions = z.infer<typeof vaeOptions>;

export const vae = defineTransform({
  kind: 'vae',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createVaeStage'),
  summary: 'Latents → video frames (causal 3D VAE decoder, temporal batches, spatial tiles).',
  inputs: { latents: { type: 'tensor:latents', doc: '[1, F, C, H, W] from dit: the clip, or one window of it.' } },
  outputs: { frames: { type: 'video', doc: 'RGB frames, 4·(F − 1) + 1 of them, 8× the latent size.' } },
  options: vaeOptions,
  models: {
    decoder: { family: 'vae', doc: 'latents [B, 16, f, h, w] + conv cache → frames [B, 3, 4(f−1)+1, 8h, 8w].' },
  },
  // An ONNX run blocks its thread. One item per latents packet (the clip, or one DiT window of it),
  // decoded into video chunks, one per temporal run, with the conv cache carried from run to run
  // and from item to item: the state of a stateful stage.
  thread: 'worker',
  item: { stateful: true },
  // Imported on use: `reel validate` loads the declarations and must not load onnxruntime.
});
