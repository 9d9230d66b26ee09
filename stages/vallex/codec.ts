/**
 * Codes → 24 kHz audio through the codec decoder contract (`codes` [8,1,T] int64 → `audio`
 * [1,1,320·T]), the axinc split's Vocos with its iSTFT folded in.
 */
import type * as ort from 'onnxruntime-node';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { TalkingHeadError } from '../shared/errors.ts';
import { i64, runOutputs } from '../shared/session.ts';
import { CODEBOOKS } from './embeddings.ts';

export const VALLEX_RATE = MANIFESTS['vallex-codec'].sampleRate!;
export const VALLEX_HOP = MANIFESTS['vallex-codec'].hop!;

/** `codes[c][t]`, 8 rows of T → 320·T samples at 24 kHz. */
export async function decodeCodes(session: ort.InferenceSession, codes: readonly ArrayLike<number>[]): Promise<Float32Array> {
  const frames = codes[0]?.length ?? 0;
  if (codes.length !== CODEBOOKS || codes.some((row) => row.length !== frames)) {
    throw new TalkingHeadError(`codes must be 8 codebooks of equal length; got ${codes.map((r) => r.length).join(', ')}`);
  }
  if (frames === 0) return new Float32Array(0);
  const flat = new Array<number>(CODEBOOKS * frames);
  codes.forEach((row, c) => { for (let t = 0; t < frames; t++) flat[c * frames + t] = row[t]; });
  const [input] = MANIFESTS['vallex-codec'].inputs.map((i) => i.name);
  const [output] = MANIFESTS['vallex-codec'].outputs.map((o) => o.name);
  const out = await runOutputs(session, { [input]: i64(flat, [CODEBOOKS, 1, frames]) }, [output], 'vallex-codec');
  const audio = out[output].data as Float32Array;
  if (audio.length !== VALLEX_HOP * frames) throw new TalkingHeadError(`codec gave ${audio.length} samples for ${frames} frames: expected ${VALLEX_HOP * frames}`);
  return audio;
}
