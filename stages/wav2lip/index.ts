/**
 * Wav2Lip lip sync: for each frame, a 16-frame mel window starting at int(i·80/fps) and the 96×96
 * face crop (lower half masked, plus an unmasked reference: 6 channels) → a new mouth region,
 * resized to the box and pasted back. No temporal state: a chunk needs only its neighbours' audio at its edges.
 */
import { z } from 'zod';
import { defineTransform } from '../../src/core/stage.ts';
import { moduleExport } from '../../src/core/module-export.ts';

const wav2lipOptions = z.strictObject({
  fps: z
    .number()
    .positive()
    .max(120)
    .nullable()
    .default(null)
    .describe(
      "Output frame rate, frames/s: must be the face video rate (set the face input's fps to change it); null = that rate. Default null.",
    ),
  batchSize: z
    .number()
    .int()
    .min(1)
    .max(512)
    .default(32)
    .describe('Frames per model run, frames (the reference uses 128). Default 32.'),
  melStep: z
    .literal(16)
    .default(16)
    .describe(
      'Mel frames per video frame window, frames (80 mel frames/s); the Wav2Lip contract fixes it at 16. Default 16.',
    ),
});

export type Wav2lipOptions = z.infer<typeof wav2lipOptions>;

export const wav2lip = defineTransform({
  kind: 'wav2lip',
  module: import.meta.url,
  createIn: moduleExport(import.meta.url, './stage', 'createWav2lipStage'),
  summary: 'Lip sync: speech + face frames → frames with the mouth re-rendered (Wav2Lip).',
  inputs: {
    audio: { type: 'audio', doc: 'Speech; turned into Wav2Lip mel at 16 kHz inside the stage.' },
    frames: {
      type: 'video',
      doc: 'Face frames, chunk by chunk, looped under the speech (a still image is repeated) and cut where it ends.',
      loop: true,
    },
    boxes: {
      type: 'tensor:face-boxes',
      doc: 'Face box per face frame from face-detect, on the same chunks.',
      loop: true,
    },
  },
  outputs: { frames: { type: 'video', doc: 'Frames at the face video fps and size.' } },
  options: wav2lipOptions,
  models: {
    generator: { family: 'wav2lip', doc: 'mel_spectrogram [B,1,80,16] + video_frames [B,6,96,96] → [B,3,96,96].' },
  },
  // A frame's mel window reaches 0.2 s past its start, into the next chunk; the STFT's centring
  // and the right-aligned windows at the clip's end reach back into the previous one. Face frames
  // of a speech chunk moved to a pause lie in the face chunk before or after it.
  item: { neighbours: { before: 1, after: 1 }, evenCost: true },
  thread: 'worker',
});
