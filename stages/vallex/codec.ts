/**
 * Codes → 24 kHz audio through the codec decoder contract (`codes` [8,1,T] int64 → `audio`
 * [1,1,320·T]), the axinc split's Vocos with its iSTFT folded in.
 */
import { MANIFESTS } from '../../models/manifests/index.ts';
import { InputError, ModelError } from '../../src/core/errors.ts';
import { float32Data, i64 } from '../shared/tensors.ts';
import { CODEBOOKS } from './embeddings.ts';
import type { RunnableModel } from './model-dims.ts';

export const VALLEX_RATE = MANIFESTS['vallex-codec'].sampleRate!;
export const VALLEX_HOP = MANIFESTS['vallex-codec'].hop!;

/** `codes[c][t]`, 8 rows of T → 320·T samples at 24 kHz. */
export async function decodeCodes(model: RunnableModel, codes: readonly ArrayLike<number>[]): Promise<Float32Array> {
  const frames = codes[0]?.length ?? 0;
  if (codes.length !== CODEBOOKS || codes.some((row) => row.length !== frames)) {
    throw new InputError(`codes must be 8 codebooks of equal length; got ${codes.map((r) => r.length).join(', ')}`);
  }
  if (frames === 0) return new Float32Array(0);
  const flat = new Array<number>(CODEBOOKS * frames);
  codes.forEach((row, c) => {
    for (let t = 0; t < frames; t++) flat[c * frames + t] = row[t];
  });
  const out = await model.run({ codes: i64(flat, [CODEBOOKS, 1, frames]) });
  const audio = float32Data(out.audio, 'vallex-codec audio');
  if (audio.length !== VALLEX_HOP * frames)
    throw new ModelError(
      model.path,
      `codec gave ${audio.length} samples for ${frames} frames: expected ${VALLEX_HOP * frames}`,
    );
  return audio;
}
