/**
 * How video size maps to CogVideoX latents and back: 4× temporal and 8× spatial compression,
 * 16 latent channels. Latents are [B, (F − 1)/4 + 1, 16, H/8, W/8] (DiT layout, frames before
 * channels); the causal VAE turns f latent frames decoded from a clip's start into 4f − 3·(f mod 2)
 * frames — 4(f − 1) + 1 for the odd f that CogVideoX uses (13 → 49, 5 → 17): the first latent
 * frame of an odd batch yields one frame, every other yields four.
 */
import { ConfigError } from '../../src/core/errors.ts';

export const LATENT_CHANNELS = 16;
export const TEMPORAL_COMPRESSION = 4;
export const SPATIAL_COMPRESSION = 8;

export interface VideoSize {
  frames: number;
  width: number;
  height: number;
}

/** [1, f, 16, h, w] for a video size; the frame count must be 4k + 1 and the sides multiples of 8. */
export function latentDims(size: VideoSize): [number, number, number, number, number] {
  const issues: string[] = [];
  if (!Number.isInteger(size.frames) || size.frames < 1 || (size.frames - 1) % TEMPORAL_COMPRESSION !== 0) {
    issues.push(
      `frames must be 4k + 1 (e.g. 17, 49): the VAE compresses time 4× after the first frame; got ${size.frames}`,
    );
  }
  for (const [name, value] of [
    ['width', size.width],
    ['height', size.height],
  ] as const) {
    if (!Number.isInteger(value) || value < SPATIAL_COMPRESSION || value % SPATIAL_COMPRESSION !== 0) {
      issues.push(`${name} must be a multiple of ${SPATIAL_COMPRESSION} pixels; got ${value}`);
    }
  }
  if (issues.length) throw new ConfigError(issues.map((message) => ({ file: 'options', message })));
  return [
    1,
    (size.frames - 1) / TEMPORAL_COMPRESSION + 1,
    LATENT_CHANNELS,
    size.height / SPATIAL_COMPRESSION,
    size.width / SPATIAL_COMPRESSION,
  ];
}

/** Frames the causal VAE yields for `latentFrames` decoded from a clip's start. */
export function decodedFrameCount(latentFrames: number): number {
  return TEMPORAL_COMPRESSION * latentFrames - (TEMPORAL_COMPRESSION - 1) * (latentFrames % 2);
}

export interface TemporalRun {
  /** First latent frame of the run. */
  start: number;
  /** Latent frames in the run. */
  count: number;
}

/**
 * The latent-frame runs of a temporally batched decode, as diffusers' AutoencoderKLCogVideoX
 * `_decode` cuts them: `num_batches = max(f // n, 1)`, and the first batch also takes the
 * remainder `f % n` (so 13 frames in runs of 2 are 3, 2, 2, 2, 2, 2). Every run after the first
 * must hold an even count, because the decoder keeps a single frame from the first latent of
 * an odd batch; an odd `perRun` smaller than f is refused.
 */
export function temporalRuns(latentFrames: number, perRun: number): TemporalRun[] {
  if (!Number.isInteger(perRun) || perRun < 1)
    throw new RangeError(`latentFramesPerRun must be a positive integer, got ${perRun}`);
  if (latentFrames <= perRun) return [{ start: 0, count: latentFrames }];
  if (perRun % 2 !== 0) {
    throw new ConfigError([
      {
        file: 'options.latentFramesPerRun',
        message: `latentFramesPerRun must be even when the clip has more latent frames (${latentFrames}) than one run: the causal VAE decodes an odd batch's first frame to 1 frame instead of 4; got ${perRun}`,
      },
    ]);
  }
  const batches = Math.floor(latentFrames / perRun);
  const remainder = latentFrames % perRun;
  return Array.from({ length: batches }, (_, k) =>
    k === 0 ? { start: 0, count: perRun + remainder } : { start: k * perRun + remainder, count: perRun },
  );
}
