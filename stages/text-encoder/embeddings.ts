/**
 * Prompt → T5 embeddings, the text-encoder stage's work: [negative, prompt] are tokenized,
 * padded to `maxTokens`, and run through the encoder as `input_ids` [B, L] int64 →
 * `last_hidden_state` [B, L, D]. Each text's row is cached on disk by (model file hash, tokenizer
 * id, maxTokens, text), so a prompt is never encoded twice and the usual empty negative prompt is
 * encoded once per model. Only the rows that missed the cache are run (batch 1 or 2).
 */
import { contentKey, type ContentCache } from '../../src/cache/content-cache.ts';
import { ModelError } from '../../src/core/errors.ts';
import type { TensorData } from '../../src/core/types.ts';
import type { Model } from '../../src/inference/model.ts';
import { float32Data } from '../shared/tensors.ts';
import { modelFileHash } from '../../src/inference/model-file-hash.ts';
import { tokenizePrompt, wordHashTokenizer, type PromptTokenizer } from './tokenizer.ts';

/** What encoding needs of a model: its named run, and its file (which keys the cache). */
export type EncoderModel = Pick<Model, 'run' | 'path'>;

/** Bump when the meaning of a cached row changes (layout, tokenization rules around the tokenizer). */
const CACHE_NAMESPACE = 'reel/text-embeddings/v1';

export interface EncodePromptsOptions {
  prompt: string;
  /** Unconditional text for classifier-free guidance; CogVideoX's default is "". */
  negativePrompt: string;
  /** Tokens after padding/truncation (226 for CogVideoX). */
  maxTokens: number;
  /** Default: the stand-in `wordHashTokenizer` (not T5's SentencePiece; see tokenizer.ts). */
  tokenizer?: PromptTokenizer;
  /** Absent: no caching. */
  cache?: ContentCache;
}

export interface PromptEmbeddings {
  /** [2, maxTokens, D] float32: row 0 the negative prompt, row 1 the prompt. */
  embeddings: TensorData;
  /** Per row, whether it came from the cache. */
  fromCache: [boolean, boolean];
  /** Prompt tokens dropped by truncation (the runtime may warn, as diffusers does). */
  truncatedTokens: number;
}

export async function encodePrompts(encoder: EncoderModel, options: EncodePromptsOptions): Promise<PromptEmbeddings> {
  const tokenizer = options.tokenizer ?? wordHashTokenizer;
  const texts = [options.negativePrompt, options.prompt];
  const tokens = texts.map((t) => tokenizePrompt(tokenizer, t, options.maxTokens));
  const keys = options.cache
    ? await modelFileHash(encoder.path).then((hash) =>
        texts.map((t) => contentKey([CACHE_NAMESPACE, hash, tokenizer.id, options.maxTokens, t])),
      )
    : undefined;

  const rows: (Float32Array | undefined)[] = [undefined, undefined];
  let width: number | undefined;
  if (options.cache && keys) {
    for (let i = 0; i < 2; i++) {
      const hit = await options.cache.get(keys[i]);
      if (
        hit &&
        hit.dims.length === 2 &&
        hit.dims[0] === options.maxTokens &&
        (width === undefined || hit.dims[1] === width)
      ) {
        rows[i] = hit.data;
        width = hit.dims[1];
      }
    }
  }
  const fromCache: [boolean, boolean] = [rows[0] !== undefined, rows[1] !== undefined];

  const missing = [0, 1].filter((i) => rows[i] === undefined);
  if (missing.length > 0) {
    const L = options.maxTokens;
    const ids = BigInt64Array.from(missing.flatMap((i) => tokens[i].ids.map(BigInt)));
    const { last_hidden_state: states } = await encoder.run({
      input_ids: { dtype: 'int64', dims: [missing.length, L], data: ids },
    });
    const hidden = float32Data(states, `${encoder.path}: last_hidden_state`);
    const [b, l, d] = states.dims;
    if (states.dims.length !== 3 || b !== missing.length || l !== L || (width !== undefined && d !== width)) {
      throw new ModelError(
        encoder.path,
        `last_hidden_state has dims [${states.dims.join(', ')}], expected [${missing.length}, ${L}, ${width ?? 'D'}]`,
      );
    }
    width = d;
    for (const [k, i] of missing.entries()) {
      rows[i] = hidden.slice(k * L * d, (k + 1) * L * d);
      if (options.cache && keys) await options.cache.put(keys[i], { dims: [L, d], data: rows[i]! });
    }
  }

  const D = width!;
  const data = new Float32Array(2 * options.maxTokens * D);
  data.set(rows[0]!, 0);
  data.set(rows[1]!, options.maxTokens * D);
  return {
    embeddings: { dtype: 'float32', dims: [2, options.maxTokens, D], data },
    fromCache,
    truncatedTokens: tokens[1].truncatedTokens,
  };
}
