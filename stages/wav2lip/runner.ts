/**
 * Wav2Lip over a run of frames, in batches of `batchSize` (the reference inference uses 128):
 * per frame its mel window ([1,80,16]) and its masked ‖ reference face ([6,96,96]) → `output`
 * [B,3,96,96] pasted back. Frames are cycled when the audio outlasts them (a still image is one
 * frame), as in Wav2Lip; the number of output frames follows the audio (`melWindowStarts`).
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { Model } from '../../src/inference/model.ts';
import type { Box } from '../shared/face-boxes.ts';
import type { Image } from '../shared/image-resize.ts';
import { f32 } from '../shared/tensors.ts';
import { pasteFace, wav2lipFaceInput, WAV2LIP_FACE } from './faces.ts';
import { melWindow, melWindowStarts, WAV2LIP_MEL_STEP } from './windows.ts';

/** What the runner needs of a model: a run by the contract's names, and its file for messages. */
export type LipSyncModel = Pick<Model, 'run' | 'path'>;

export interface LipSyncInput {
  /** Face frames (RGB24); cycled if the audio is longer. */
  frames: readonly Image<Uint8Array>[];
  /** One box per frame, integer pixels. */
  boxes: readonly Box[];
  /** Wav2Lip mel, [80, T] band-major at 80 frames/s (src/dsp `wav2lipMel`). */
  mel: { data: Float32Array; frames: number };
  /** Video frame rate, frames/s. */
  fps: number;
  /** Frames per model run. @defaultValue 32 */
  batchSize?: number;
}

/** One frame to render: the face frame, its box and the start of its 16-frame mel window. */
export interface LipSyncFrame {
  frame: Image<Uint8Array>;
  box: Box;
  melStart: number;
  /** The frame's precomputed `video_frames` item ([6, 96, 96]), when the caller caches it. */
  faceInput?: Float32Array;
}

/** Lip-synced RGB frames, one per window. */
export async function lipSync(model: LipSyncModel, input: LipSyncInput): Promise<Uint8Array[]> {
  const { frames, boxes, mel, fps, batchSize = 32 } = input;
  if (frames.length === 0 || frames.length !== boxes.length) {
    throw new InputError(
      `lip sync got ${frames.length} frames and ${boxes.length} boxes: expected one box per frame, at least one frame`,
    );
  }
  const starts = melWindowStarts(mel.frames, fps);
  return lipSyncFrames(
    model,
    Array.from(starts, (melStart, i) => ({
      frame: frames[i % frames.length],
      box: boxes[i % frames.length],
      melStart,
    })),
    mel,
    { batchSize },
  );
}

export interface LipSyncRunOptions {
  /** Frames per model run. @defaultValue 32 */
  batchSize?: number;
  /**
   * Where the rendered frames go, one after another (e.g. the chunk's output packet): frame k is
   * written at k × its size and returned as a view. Without it each frame is a new array — a
   * whole chunk's frames twice over, at 5 s of 720p 350 MB more.
   */
  into?: Uint8Array;
}

/** Renders `items` in runs of ≤ `batchSize` frames; returns the RGB frames in order. */
export async function lipSyncFrames(
  model: LipSyncModel,
  items: readonly LipSyncFrame[],
  mel: { data: Float32Array; frames: number },
  { batchSize = 32, into }: LipSyncRunOptions = {},
): Promise<Uint8Array[]> {
  const frameBytes = items.length > 0 ? items[0].frame.data.length : 0;
  if (into && into.length !== frameBytes * items.length) {
    throw new InputError(
      `lip sync: output holds ${into.length} bytes; ${items.length} frames of ${frameBytes} need ${frameBytes * items.length}`,
    );
  }
  const melSize = 80 * WAV2LIP_MEL_STEP;
  const faceSize = 6 * WAV2LIP_FACE * WAV2LIP_FACE;
  const outSize = 3 * WAV2LIP_FACE * WAV2LIP_FACE;
  const result: Uint8Array[] = [];
  for (let first = 0; first < items.length; first += batchSize) {
    const count = Math.min(batchSize, items.length - first);
    const mels = new Float32Array(count * melSize);
    const faces = new Float32Array(count * faceSize);
    for (let b = 0; b < count; b++) {
      const item = items[first + b];
      melWindow(mel, item.melStart, WAV2LIP_MEL_STEP, mels.subarray(b * melSize, (b + 1) * melSize));
      if (item.faceInput) faces.set(item.faceInput, b * faceSize);
      else wav2lipFaceInput(item.frame, item.box, faces, b * faceSize);
    }
    const { output } = await model.run({
      mel_spectrogram: f32(mels, [count, 1, 80, WAV2LIP_MEL_STEP]),
      video_frames: f32(faces, [count, 6, WAV2LIP_FACE, WAV2LIP_FACE]),
    });
    if (output.dtype !== 'float32' || output.data.length !== count * outSize) {
      throw new ModelError(
        model.path,
        `output is ${output.dtype}[${output.dims.join(', ')}]: expected float32[${count}, 3, 96, 96]`,
      );
    }
    const pred = output.data as Float32Array;
    for (let b = 0; b < count; b++) {
      const k = first + b;
      result.push(
        pasteFace(
          items[k].frame,
          items[k].box,
          pred,
          b * outSize,
          into?.subarray(k * frameBytes, (k + 1) * frameBytes),
        ),
      );
    }
  }
  return result;
}
