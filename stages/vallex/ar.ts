/**
 * VALL-E X's autoregressive pass over the `ar_decoder` step contract: the first call feeds the
 * whole text ‖ BOS ‖ prompt (codebook 1) with an empty cache, each later call one token with the
 * returned `kv_cache` and `offset` = cached positions. The attention mask covers the whole
 * sequence (text attends to text; audio to text and to audio up to itself; True = masked) and is
 * built once at the longest length. Stops, as VALL-E does, when the sampled token or the argmax
 * is EOS (1024), or when `maxNewTokens` codes were produced.
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { TensorData } from '../../src/core/types.ts';
import { SeededRandom } from '../shared/seeded-random.ts';
import { bool, f32, float32Data, i64 } from '../shared/tensors.ts';
import { fixedAxis, type ShapedModel } from './model-dims.ts';
import { AUDIO_BOS, AUDIO_EOS, type VallexEmbedder } from './embeddings.ts';
import { argmax, sampleToken, type SamplerOptions } from './sampler.ts';

export interface ArDecodeInput {
  /** Prompt transcript tokens ‖ target text tokens. */
  text: readonly number[];
  /** Model language id per text token. */
  languages: readonly number[];
  /** Codebook 1 of the acoustic prompt (may be empty). */
  promptCodes: ArrayLike<number>;
  /** Length guard: most codes generated. */
  maxNewTokens: number;
}

export interface ArDecodeOptions extends SamplerOptions {
  /** Sampling seed. @defaultValue 0 */
  seed?: number;
}

export interface ArDecodeResult {
  /** Generated codebook-1 codes (EOS not included). */
  codes: number[];
  stoppedBy: 'eos' | 'max-length';
}

/** [S, S] bool mask for `textLength` text positions then audio positions; 1 = may not attend. */
export function arAttentionMask(textLength: number, total: number): Uint8Array {
  const mask = new Uint8Array(total * total);
  for (let r = 0; r < total; r++) {
    for (let c = textLength; c < total; c++) mask[r * total + c] = r < textLength || c > r ? 1 : 0;
  }
  return mask;
}

function concatRows(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export async function decodeAr(
  model: ShapedModel,
  embedder: VallexEmbedder,
  input: ArDecodeInput,
  options: ArDecodeOptions = {},
): Promise<ArDecodeResult> {
  const dim = fixedAxis(model, 'xy_pos', 2);
  if (dim !== embedder.dim) throw new ModelError(model.path, `embedder width ${embedder.dim} ≠ the AR model's ${dim}`);
  if (input.text.length === 0) throw new InputError('VALL-E X got no text tokens');
  const [layers, , , heads, , headDim] = [0, 1, 2, 3, 4, 5].map((a) => (a === 4 ? 0 : fixedAxis(model, 'past_kv', a)));

  const audio = [AUDIO_BOS, ...Array.from(input.promptCodes)];
  const total = input.text.length + audio.length + input.maxNewTokens;
  const mask = bool(arAttentionMask(input.text.length, total), [total, total]);
  const random = new SeededRandom(options.seed ?? 0);

  let xy = concatRows(embedder.arText(input.text, input.languages), embedder.arAudio(audio, 0));
  // The returned cache is fed back as is (no copy): it grows by the rows of each step.
  let past: TensorData = f32(new Float32Array(0), [layers, 2, 1, heads, 0, headDim]);
  let offset = 0;
  const codes: number[] = [];
  for (;;) {
    const rows = xy.length / dim;
    const out = await model.run({ xy_pos: f32(xy, [1, rows, dim]), mask, past_kv: past, offset: i64([offset], []) });
    const logits = float32Data(out.logits, 'vallex-ar logits');
    const token = sampleToken(logits, random, options);
    if (token === AUDIO_EOS || argmax(logits) === AUDIO_EOS) return { codes, stoppedBy: 'eos' };
    codes.push(token);
    if (codes.length >= input.maxNewTokens) return { codes, stoppedBy: 'max-length' };
    past = out.kv_cache;
    offset += rows;
    xy = embedder.arAudio([token], audio.length + codes.length - 1);
  }
}
