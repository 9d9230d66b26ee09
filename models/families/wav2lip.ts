/**
 * Wav2Lip generator: face encoder (stride-2 convs 96→1), audio encoder over the 80×16 mel
 * window (→1×1), then a decoder of transposed convs with U-Net skips back to 96×96 and a
 * sigmoid. Frames are independent: no temporal state, as in the real model.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, convTranspose } from '../../src/onnx/layers.ts';

export interface Wav2lipHyper {
  /** Face-encoder widths at 48, 24, 12, 6, 3, 1 px. */
  faceChannels: readonly number[];
  audioChannels: readonly number[];
}

export function buildWav2lip(h: Wav2lipHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('wav2lip', seed);
  const mel = b.input(
    'mel_spectrogram',
    'float32',
    ['B', 1, 80, 16],
    'normalised mel window, 80 bands × 16 frames (200 ms)',
  );
  const face = b.input('video_frames', 'float32', ['B', 6, 96, 96], 'masked face crop ‖ reference crop, BGR /255');
  const fc = h.faceChannels;
  // 96 → 48 → 24 → 12 → 6 → 3 (stride 2, k3, pad 1), then 3 → 1 (k3, no pad).
  const skips: string[] = [];
  let x = face;
  let cin = 6;
  fc.forEach((c, i) => {
    const last = i === fc.length - 1;
    x = b.relu(
      conv(b, `face_encoder.${i}`, x, {
        cin,
        cout: c,
        kernel: [3, 3],
        stride: last ? [1, 1] : [2, 2],
        pads: last ? [0, 0, 0, 0] : [1, 1, 1, 1],
      }),
    );
    skips.push(x);
    cin = c;
  });
  // Audio: [80,16] → [27,16] → [9,8] → [3,4] → [1,1].
  const ac = h.audioChannels;
  let a = b.relu(
    conv(b, 'audio_encoder.0', mel, { cin: 1, cout: ac[0], kernel: [3, 3], stride: [3, 1], pads: [1, 1, 1, 1] }),
  );
  a = b.relu(
    conv(b, 'audio_encoder.1', a, { cin: ac[0], cout: ac[1], kernel: [3, 3], stride: [3, 2], pads: [1, 1, 1, 1] }),
  );
  a = b.relu(
    conv(b, 'audio_encoder.2', a, { cin: ac[1], cout: ac[2], kernel: [3, 3], stride: [3, 2], pads: [1, 1, 1, 1] }),
  );
  a = b.relu(
    conv(b, 'audio_encoder.3', a, { cin: ac[2], cout: fc[fc.length - 1], kernel: [3, 4], pads: [0, 0, 0, 0] }),
  );

  // Decoder: 1 → 3 (k3) → 6 → 12 → 24 → 48 → 96 (k4 s2 p1), concatenating the encoder skip at each size.
  let y = b.concat([a, skips[fc.length - 1]], 1);
  let ych = 2 * fc[fc.length - 1];
  for (let i = fc.length - 1; i >= 0; i--) {
    const out = i === 0 ? fc[0] : fc[i - 1];
    const spec =
      i === fc.length - 1
        ? { kernel: [3, 3], stride: [1, 1], pads: [0, 0, 0, 0] }
        : { kernel: [4, 4], stride: [2, 2], pads: [1, 1, 1, 1] };
    y = b.relu(convTranspose(b, `face_decoder.${i}`, y, { cin: ych, cout: out, ...spec }));
    if (i > 0) {
      y = b.concat([y, skips[i - 1]], 1);
      ych = out + fc[i - 1];
    } else ych = out;
  }
  const out = b.sigmoid(conv(b, 'output_block', y, { cin: fc[0], cout: 3, kernel: [1, 1] }));
  b.output(out, 'output', 'float32', ['B', 3, 96, 96], 'lip-synced face crop, BGR in [0, 1]');
  return b.model({ doc: 'reel reference Wav2Lip generator (seeded random weights)' });
}
