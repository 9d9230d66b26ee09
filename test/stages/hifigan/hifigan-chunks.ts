/**
 * HiFi-GAN over a long mel in fixed-shape runs: every run sees exactly `contextFrames + chunkFrames
 * + contextFrames` frames (one TensorRT engine per stage) and keeps the 256·chunkFrames samples of
 * the frames it owns. Near the clip edges the window is slid inward instead of padded, so each owned
 * frame has at least `contextFrames` of real mel on both sides or reaches the true clip edge, which
 * the model sees exactly as in a whole-clip run: with `contextFrames` ≥ the receptive field the
 * chunked audio equals the whole-clip audio to float tolerance and has exactly 256·T samples.
 * Only a clip shorter than one window is padded (with `padValue`, log-mel silence) and trimmed;
 * its last receptive-field frames then differ from an unpadded run.
 */
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { InputError, ModelError } from '../../../src/core/errors.ts';
import type { Mel } from '../../../stages/fastpitch/runner.ts';
import type { Model } from '../../../stages/shared/open-model.ts';
import { f32 } from '../../../stages/shared/tensors.ts';

const MEL_BANDS = 80;
export const HIFIGAN_HOP = MANIFESTS.hifigan.hop!;

export interface VocoderChunking {
  /** Owned mel frames per run, frames. @defaultValue 256 */
  chunkFrames?: number;
  /** Mel frames of context on each side, frames. @defaultValue 32 */
  contextFrames?: number;
  /** Value of padding frames (only for clips shorter than one window). @defaultValue ln(1e-5) */
  padValue?: number;
}

/** Frames [start, start + width) of `mel`, padded with `pad` past its end. */
function melWindow(mel: Mel, start: number, width: number, pad: number): Float32Array {
  const out = new Float32Array(MEL_BANDS * width).fill(pad);
  const take = Math.min(width, mel.frames - start);
  for (let b = 0; b < MEL_BANDS; b++)
    out.set(mel.data.subarray(b * mel.frames + start, b * mel.frames + start + take), b * width);
  return out;
}

/** The runs a clip of `frames` mel frames is cut into: window start and owned range, frames. */
export function vocoderWindows(
  frames: number,
  chunkFrames: number,
  contextFrames: number,
): Array<{ windowStart: number; ownStart: number; ownEnd: number }> {
  const width = chunkFrames + 2 * contextFrames;
  const runs = [];
  for (let s = 0; s < frames; s += chunkFrames) {
    const windowStart = Math.max(0, Math.min(s - contextFrames, frames - width));
    runs.push({ windowStart, ownStart: s, ownEnd: Math.min(s + chunkFrames, frames) });
  }
  return runs;
}

/** Audio of `mel` ([80, T] band-major) at 22050 Hz: exactly 256·T samples. */
export async function vocodeChunked(
  model: Pick<Model, 'run' | 'path'>,
  mel: Mel,
  options: VocoderChunking = {},
): Promise<Float32Array> {
  const { chunkFrames = 256, contextFrames = 32, padValue = Math.log(1e-5) } = options;
  if (!(Number.isInteger(chunkFrames) && chunkFrames > 0) || !(Number.isInteger(contextFrames) && contextFrames >= 0)) {
    throw new InputError(
      `chunkFrames = ${chunkFrames}, contextFrames = ${contextFrames}: expected a positive and a non-negative integer`,
    );
  }
  if (mel.data.length !== MEL_BANDS * mel.frames) {
    throw new InputError(`mel holds ${mel.data.length} values for ${mel.frames} frames: expected 80 bands`);
  }
  const width = chunkFrames + 2 * contextFrames;
  const audio = new Float32Array(HIFIGAN_HOP * mel.frames);
  for (const run of vocoderWindows(mel.frames, chunkFrames, contextFrames)) {
    const out = await model.run({ spec: f32(melWindow(mel, run.windowStart, width, padValue), [1, MEL_BANDS, width]) });
    const wav = out.audio.data as Float32Array;
    if (wav.length !== HIFIGAN_HOP * width) {
      throw new ModelError(
        model.path,
        `gave ${wav.length} samples for ${width} frames: expected ${HIFIGAN_HOP * width}`,
      );
    }
    const from = (run.ownStart - run.windowStart) * HIFIGAN_HOP;
    audio.set(wav.subarray(from, from + (run.ownEnd - run.ownStart) * HIFIGAN_HOP), run.ownStart * HIFIGAN_HOP);
  }
  return audio;
}
