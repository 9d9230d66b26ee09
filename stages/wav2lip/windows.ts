/**
 * Which mel frames each video frame sees (Wav2Lip `inference.py`): frame i starts at
 * int(80·(i/fps)) of the 80 frames/s mel and takes `step` (16) frames = 200 ms; the first window
 * that would run past the end is right-aligned to the end, and it is the last frame — so the
 * audio decides how many frames are rendered. Arithmetic is in float64 as Python's, so the
 * truncation lands on the same frame (e.g. 80·(3/30) = 8.000000000000002 → 8).
 */
import { InputError } from '../../src/core/errors.ts';

export const WAV2LIP_MEL_FPS = 80;
export const WAV2LIP_MEL_STEP = 16;

/** Start of frame i's window, ignoring the end of the mel. */
export function melWindowStart(frame: number, fps: number): number {
  return Math.trunc(WAV2LIP_MEL_FPS * (frame / fps));
}

/** One window start per video frame for a mel of `melFrames` frames; the last is right-aligned. */
export function melWindowStarts(melFrames: number, fps: number, step = WAV2LIP_MEL_STEP): Int32Array {
  if (!(fps > 0)) throw new InputError(`fps = ${fps}: expected a positive frame rate`);
  if (melFrames < step)
    throw new InputError(
      `mel has ${melFrames} frames: Wav2Lip needs at least ${step} (${(step / WAV2LIP_MEL_FPS) * 1000} ms of audio)`,
    );
  const starts: number[] = [];
  for (let i = 0; ; i++) {
    const start = melWindowStart(i, fps);
    if (start + step > melFrames) {
      starts.push(melFrames - step);
      break;
    }
    starts.push(start);
  }
  return Int32Array.from(starts);
}

/** Mel [80, T] band-major → the [1, 80, step] window at `start` (band-major, as the model reads it). */
export function melWindow(
  mel: { data: Float32Array; frames: number },
  start: number,
  step = WAV2LIP_MEL_STEP,
  out = new Float32Array(80 * step),
): Float32Array {
  if (start < 0 || start + step > mel.frames)
    throw new InputError(`mel window [${start}, ${start + step}) is outside the ${mel.frames}-frame mel`);
  for (let b = 0; b < 80; b++)
    out.set(mel.data.subarray(b * mel.frames + start, b * mel.frames + start + step), b * step);
  return out;
}
