/**
 * The content-encoder side of RVC (HuBERT/ContentVec as RVC's `onnx_inference.py` feeds it):
 * audio → 16 kHz → high-pass (Butterworth order 5 at 48 Hz, filtfilt — RVC filters before both
 * the features and F0) → `source` [1,1,N] → `features` [1,T,D], T = ⌊(N − 400)/320⌋ + 1 at
 * 50 frames/s.
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import { resample, rvcHighPass } from '../../src/dsp/index.ts';
import type { Model } from '../shared/open-model.ts';
import { f32 } from '../shared/tensors.ts';

export const CONTENT_RATE = 16000;
/** The encoder's conv front end needs one 400-sample window. */
export const CONTENT_MIN_SAMPLES = 400;

/** RVC's input conditioning: 16 kHz, high-passed. */
export function rvcInputSignal(audio: Float32Array, sampleRate: number): Float32Array {
  return rvcHighPass(
    sampleRate === CONTENT_RATE ? audio : resample(audio, { inputRate: sampleRate, outputRate: CONTENT_RATE }),
  );
}

export interface ContentFeatures {
  /** [frames, dim] row-major. */
  data: Float32Array;
  frames: number;
  dim: number;
}

/** Features of a 16 kHz signal (already conditioned by `rvcInputSignal`). */
export async function encodeContent(
  model: Pick<Model, 'run' | 'path'>,
  wav16k: Float32Array,
): Promise<ContentFeatures> {
  if (wav16k.length < CONTENT_MIN_SAMPLES) {
    throw new InputError(
      `the content encoder needs at least ${CONTENT_MIN_SAMPLES} samples at 16 kHz (25 ms); got ${wav16k.length}`,
    );
  }
  const { features } = await model.run({ source: f32(wav16k, [1, 1, wav16k.length]) });
  if (features?.dtype !== 'float32' || features.dims.length !== 3) {
    throw new ModelError(
      model.path,
      `output "features" should be float32 [1, T, D]; got ${features ? `${features.dtype} [${features.dims.join(', ')}]` : 'nothing'}`,
    );
  }
  const [, frames, dim] = features.dims;
  return { data: features.data as Float32Array, frames, dim };
}
