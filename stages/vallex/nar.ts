/**
 * VALL-E X's non-autoregressive passes: codebooks 2–8, one greedy pass each over text ‖ prompt ‖
 * generated. The audio input of pass j is the running sum of the NAR embeddings of codebooks
 * 1..j+1 — the prompt's own codes at prompt positions, the codes just predicted elsewhere — plus
 * audio positions; the logits of the generated positions (after text and prompt) give codebook j+2.
 */
import { InputError } from '../../src/core/errors.ts';
import { f32, float32Data, i64 } from '../shared/tensors.ts';
import type { RunnableModel } from './model-dims.ts';
import { addSinePositions, CODEBOOKS, type VallexEmbedder } from './embeddings.ts';
import { argmax } from './sampler.ts';

export interface NarDecodeInput {
  text: readonly number[];
  languages: readonly number[];
  /** Prompt codes, codebook-major: `prompt[c][t]`, 8 rows of equal length (may be 0). */
  prompt: readonly ArrayLike<number>[];
  /** Codebook 1 of the new audio, from the AR pass. */
  firstCodebook: readonly number[];
}

/** All 8 codebooks of the new audio, codebook-major. */
export async function decodeNar(
  model: RunnableModel,
  embedder: VallexEmbedder,
  input: NarDecodeInput,
): Promise<Int32Array[]> {
  const d = embedder.dim;
  const promptLength = input.prompt[0]?.length ?? 0;
  if (input.prompt.length !== CODEBOOKS && promptLength > 0)
    throw new InputError(`prompt has ${input.prompt.length} codebooks: expected 8`);
  const n = input.firstCodebook.length;
  const codes = [Int32Array.from(input.firstCodebook)];
  const text = embedder.narText(input.text, input.languages);
  const audio = new Float32Array((promptLength + n) * d);
  const accumulate = (codebook: number, promptRow: ArrayLike<number> | undefined, newRow: ArrayLike<number>) => {
    if (promptLength > 0) embedder.narAudio(codebook, promptRow!).forEach((v, i) => (audio[i] += v));
    embedder.narAudio(codebook, newRow).forEach((v, i) => (audio[promptLength * d + i] += v));
  };
  accumulate(0, input.prompt[0], codes[0]);
  const rows = input.text.length + promptLength + n;
  for (let stage = 0; stage < CODEBOOKS - 1; stage++) {
    const xy = new Float32Array(rows * d);
    xy.set(text);
    xy.set(addSinePositions(Float32Array.from(audio), d), text.length);
    const out = await model.run({ xy_pos: f32(xy, [1, rows, d]), offset: i64([stage], []) });
    const logits = float32Data(out.logits, 'vallex-nar logits');
    const vocab = logits.length / rows;
    const next = new Int32Array(n);
    for (let t = 0; t < n; t++) {
      const at = (input.text.length + promptLength + t) * vocab;
      next[t] = argmax(logits.subarray(at, at + vocab));
    }
    codes.push(next);
    if (stage < CODEBOOKS - 2) accumulate(stage + 1, input.prompt[stage + 1], next);
  }
  return codes;
}
