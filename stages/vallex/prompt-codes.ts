/**
 * Stand-in acoustic prompt codes. VALL-E X clones a voice from the EnCodec codes of its prompt,
 * but the reference models ship no EnCodec encoder (the axinc split's `encodec.onnx` is not part of
 * the contract here), so these codes are NOT EnCodec codes: they are a deterministic, documented
 * summary of the prompt that a reference model can condition on. Per 320-sample frame of the
 * 24 kHz prompt (EnCodec's hop, 75 frames/s), codebook c holds the level of the frame's c-th order
 * difference (c = 0: the signal; higher orders weigh higher frequencies), as dB in [−90, 0]
 * quantised into 1024 bins. Loudness and spectral tilt thus shape the codes; a real EnCodec export
 * would replace this function.
 */
import { CODEBOOKS } from './embeddings.ts';
import { VALLEX_HOP } from './codec.ts';

const BINS = 1024;
const FLOOR_DB = -90;

/** 8 rows of ⌊N/320⌋ codes in 0..1023 for a 24 kHz prompt. */
export function promptCodesFromAudio(audio24k: Float32Array): Int32Array[] {
  const frames = Math.floor(audio24k.length / VALLEX_HOP);
  const codes = Array.from({ length: CODEBOOKS }, () => new Int32Array(frames));
  const diff = new Float64Array(VALLEX_HOP);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < VALLEX_HOP; i++) diff[i] = audio24k[t * VALLEX_HOP + i];
    for (let c = 0; c < CODEBOOKS; c++) {
      // Order-c difference over the frame's own samples, scaled by 2^−c so its range stays [−1, 1].
      let energy = 0;
      for (let i = c; i < VALLEX_HOP; i++) energy += diff[i] * diff[i];
      const db = 10 * Math.log10(energy / 4 ** c / (VALLEX_HOP - c) + 1e-12);
      codes[c][t] = Math.min(BINS - 1, Math.max(0, Math.round(((db - FLOOR_DB) / -FLOOR_DB) * (BINS - 1))));
      for (let i = VALLEX_HOP - 1; i > c; i--) diff[i] -= diff[i - 1];
    }
  }
  return codes;
}
