/**
 * DiT denoiser (CogVideoX-style): a scheduler loop over `steps` with classifier-free guidance.
 * Each step runs the transformer on [uncond, cond] latents and combines them with the (dynamic)
 * guidance scale. Every sampler (sampler.ts) but `ddim` uses CogVideoX's v-prediction schedule,
 * with zero-SNR and snr_shift_scale.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

export const ditOptions = z
  .strictObject({
    steps: z.number().int().min(1).max(1000).default(50).describe('Denoising steps. Default 50.'),
    guidance: z.number().min(0).max(30).default(6).describe('Classifier-free guidance scale (1 = off). Default 6.'),
    dynamicGuidance: z.boolean().default(true).describe('Cosine-ramped guidance per step (CogVideoX). Default true.'),
    scheduler: z
      .enum(['cogvideox-ddim', 'ddim', 'dpm-solver++', 'euler'])
      .default('cogvideox-ddim')
      .describe(
        'Sampler. cogvideox-ddim: deterministic DDIM with the CogVideoX schedule (v-prediction, SNR shift, zero-terminal SNR, trailing timesteps), as CogVideoXDDIMScheduler. ddim: DDIM for ε-prediction models (no SNR shift, no zero-SNR rescale). dpm-solver++: DPM-Solver++(2M), deterministic second-order multistep, CogVideoX schedule. euler: Euler on the probability-flow ODE in σ-space (EulerDiscreteScheduler), CogVideoX schedule. Default cogvideox-ddim.',
      ),
    snrShiftScale: z
      .number()
      .positive()
      .max(10)
      .default(3)
      .describe('SNR shift of the noise schedule (3.0 for CogVideoX-2B; not used by ddim). Default 3.'),
    seed: z.number().int().min(0).default(42).describe('Seed of the initial noise. Default 42.'),
    frames: z
      .number()
      .int()
      .min(1)
      .max(1025)
      .refine((n) => (n - 1) % 4 === 0, {
        message: 'must be 4k + 1 frames (1, 5, 9, …, 49): the VAE makes 4 frames per latent after the first',
      })
      .default(49)
      .describe('Video frames to generate, frames (4k+1). Default 49.'),
    width: z
      .number()
      .int()
      .min(16)
      .max(4096)
      .multipleOf(16)
      .default(720)
      .describe('Video width, pixels (multiple of 16). Default 720.'),
    height: z
      .number()
      .int()
      .min(16)
      .max(4096)
      .multipleOf(16)
      .default(480)
      .describe('Video height, pixels (multiple of 16). Default 480.'),
    windowLatentFrames: z
      .number()
      .int()
      .min(2)
      .max(257)
      .default(13)
      .describe(
        'Latent frames the model denoises at once, frames (13 = 49 video frames for CogVideoX-2B). A longer video is made window after window. Default 13.',
      ),
    overlapLatentFrames: z
      .number()
      .int()
      .min(1)
      .max(128)
      .default(4)
      .describe(
        'Latent frames a window shares with the one before: held to its final latents while denoising, blended across the seam, frames. Less than windowLatentFrames. Default 4.',
      ),
  })
  .refine((o) => o.overlapLatentFrames < o.windowLatentFrames, {
    message: 'overlapLatentFrames must be less than windowLatentFrames (a window must add frames of its own)',
    path: ['overlapLatentFrames'],
  });

export type DitOptions = z.infer<typeof ditOptions>;

export const dit = defineTransform({
  kind: 'dit',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createDitStage'),
  summary: 'Text-conditioned video latent denoiser (DiT, CogVideoX-style) with CFG.',
  inputs: { embeddings: { type: 'tensor:text-embeddings', doc: '[2, L, D]: [negative, prompt].' } },
  outputs: { latents: { type: 'tensor:latents', doc: '[1, F, C, H, W] denoised latents.' } },
  options: ditOptions,
  models: { transformer: { family: 'dit', doc: 'hidden_states, encoder_hidden_states, timestep → v-prediction.' } },
  // An ONNX run blocks its thread. One item per clip (the embeddings are its only chunk), no state
  // carried between items.
  thread: 'worker',
  // Imported on use: `reel validate` loads the declarations and must not load onnxruntime.
});
