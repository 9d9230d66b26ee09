/**
 * One run of the RVC synthesizer (SynthesizerTrnMsNSFsidM export) on a segment: content features
 * at 50 frames/s are repeated ×2, the frame count is aligned (T = min(⌊samples/160⌋, 2·T_feat,
 * pitch frames)) so `phone`, `pitch`, `pitchf` and `rnd` all have T frames, the noise is seeded
 * N(0,1)·noiseScale, and the output is checked to be T·hop samples. Used by the rvc stage (features
 * over an edge from the content-encoder stage) and by the tests' whole-clip oracle `convertVoice`.
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { Model } from '../shared/open-model.ts';
import { SeededRandom } from '../shared/seeded-random.ts';
import { f32, i64 } from '../shared/tensors.ts';
import { alignedFrames, upsampleFeatures } from './features.ts';
import type { RvcPitch } from './pitch.ts';

export const RVC_NOISE_CHANNELS = 192;

export interface RvcFrames {
  /** Content features [T_feat, D] row-major at 50 frames/s. */
  features: Float32Array;
  featureFrames: number;
  featureDim: number;
  /** Pitch at 100 frames/s, frame 0 aligned with feature frame 0. */
  pitch: RvcPitch;
  /** 16 kHz samples the features were computed from. */
  samples16k: number;
}

export interface RvcSynthOptions {
  /** Output hop, samples (rate/100). @defaultValue 400 */
  hop?: number;
  /** `ds`. @defaultValue 0 */
  speakerId?: number;
  /** @defaultValue 0 */
  seed?: number;
  /** @defaultValue 0.66666 */
  noiseScale?: number;
  /**
   * The `rnd` input for T frames ([192, T] channel-major, already scaled); replaces the seeded
   * noise so a chunked caller can draw it by absolute frame position.
   */
  noise?: (frames: number) => Float32Array;
}

/**
 * The error to report for a failed run: a speaker id beyond the model's speaker table (ORT's
 * `Gather … idx=7 must be within the inclusive range [-4,3]`) says so and how many there are.
 */
export function speakerError(err: unknown, speakerId: number, modelPath: string): unknown {
  const m = /Gather[\s\S]*idx=(-?\d+) must be within the inclusive range \[-?\d+,(\d+)\]/.exec(
    err instanceof Error ? err.message : String(err),
  );
  if (!m || Number(m[1]) !== speakerId) return err;
  const speakers = Number(m[2]) + 1;
  return new ModelError(
    modelPath,
    `speakerId ${speakerId} is out of range: this model has ${speakers} speaker${speakers === 1 ? '' : 's'} (ids 0–${speakers - 1}); set the stage's speakerId option to one of them`,
    { cause: err },
  );
}

/** Audio of T·hop samples at the model rate, and T. */
export async function synthesizeRvc(
  model: Pick<Model, 'run' | 'path'>,
  input: RvcFrames,
  options: RvcSynthOptions = {},
): Promise<{ audio: Float32Array; frames: number }> {
  const { hop = 400, speakerId = 0, seed = 0, noiseScale = 0.66666 } = options;
  const { featureFrames: tf, featureDim: dim } = input;
  const t = Math.min(alignedFrames(input.samples16k, tf), input.pitch.pitch.length, input.pitch.pitchf.length);
  if (t <= 0)
    throw new InputError(
      `an RVC segment has no frames (${tf} feature frames, ${input.pitch.pitch.length} pitch frames, ${input.samples16k} samples)`,
    );
  const out = await model
    .run({
      phone: f32(upsampleFeatures(input.features, tf, dim).subarray(0, t * dim), [1, t, dim]),
      phone_lengths: i64([t], [1]),
      pitch: i64(input.pitch.pitch.subarray(0, t), [1, t]),
      pitchf: f32(input.pitch.pitchf.slice(0, t), [1, t]),
      ds: i64([speakerId], [1]),
      rnd: f32(options.noise?.(t) ?? new SeededRandom(seed).normals(RVC_NOISE_CHANNELS * t, noiseScale), [
        1,
        RVC_NOISE_CHANNELS,
        t,
      ]),
    })
    .catch((err: unknown) => {
      throw speakerError(err, speakerId, model.path);
    });
  const audio = out.audio?.data as Float32Array | undefined;
  if (audio?.length !== t * hop) {
    throw new ModelError(
      model.path,
      `gave ${audio?.length ?? 0} samples for ${t} frames: expected ${t * hop} (hop ${hop}; is the model's rate the configured one?)`,
    );
  }
  return { audio, frames: t };
}
