/**
 * Prompt tokenization for the T5 text encoder. A tokenizer is pluggable: anything that maps text
 * to ids and names its pad/EOS ids. `tokenizePrompt` then applies what CogVideoX asks of the T5
 * tokenizer (`padding="max_length", max_length=226, truncation=True, add_special_tokens=True`):
 * the ids are cut to `maxTokens − 1`, EOS is appended, and the rest is padded.
 *
 * The default tokenizer is NOT T5's SentencePiece model (its 32k-piece vocabulary is a data file
 * we do not ship). It is a deterministic stand-in that hashes words, digits and punctuation into
 * T5's id range, enough to drive the bundled reference encoder (which takes ids modulo its own
 * table) and to give different prompts different ids. A real T5 export needs a real tokenizer
 * plugged in here; its `id` then keys the embedding cache apart from this one.
 */

export interface PromptTokenizer {
  /** Stable name of the vocabulary and rules; part of the embedding cache key. */
  readonly id: string;
  readonly padId: number;
  readonly eosId: number;
  /** Ids of `text` without special tokens. */
  tokenize(text: string): number[];
}

export interface TokenizedPrompt {
  /** Exactly `maxTokens` ids. */
  ids: number[];
  /**
   * 1 for real tokens (EOS included), 0 for padding. CogVideoX does not pass it to T5
   * (`text_encoder(text_input_ids)` in pipeline_cogvideox.py), so padding is attended and
   * the encoder's states at padding positions are part of the embeddings; it is informational.
   */
  attentionMask: Uint8Array;
  /** Tokens dropped by truncation. */
  truncatedTokens: number;
}

export function tokenizePrompt(tokenizer: PromptTokenizer, text: string, maxTokens: number): TokenizedPrompt {
  if (!Number.isInteger(maxTokens) || maxTokens < 1)
    throw new RangeError(`maxTokens must be a positive integer, got ${maxTokens}`);
  const body = tokenizer.tokenize(text);
  const kept = body.slice(0, maxTokens - 1);
  const ids = [...kept, tokenizer.eosId];
  const attentionMask = new Uint8Array(maxTokens);
  attentionMask.fill(1, 0, ids.length);
  while (ids.length < maxTokens) ids.push(tokenizer.padId);
  return { ids, attentionMask, truncatedTokens: body.length - kept.length };
}

/** T5's special ids (pad 0, EOS 1, unk 2) and the end of its SentencePiece pieces (32000; 32000–32099 are sentinels). */
const T5_PAD = 0;
const T5_EOS = 1;
const FIRST_PIECE = 3;
const PIECES_END = 32000;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * The default stand-in tokenizer (`reel-word-hash-v1`). Text is NFKC-normalised (as T5's
 * SentencePiece normaliser does) and split into runs of letters, single digits (T5 splits digits)
 * and single other symbols; a piece that starts a word is hashed with SentencePiece's `▁` marker,
 * so "cat" and "con|cat" get different ids. Case is kept: T5's vocabulary is cased.
 */
export const wordHashTokenizer: PromptTokenizer = Object.freeze({
  id: 'reel-word-hash-v1',
  padId: T5_PAD,
  eosId: T5_EOS,
  tokenize(text: string): number[] {
    const ids: number[] = [];
    const pieces = /(\s*)(\p{L}[\p{L}\p{M}]*|\p{N}|[^\s\p{L}\p{N}])/gu;
    for (const match of text.normalize('NFKC').matchAll(pieces)) {
      const wordStart = match.index === 0 || match[1].length > 0;
      ids.push(FIRST_PIECE + (fnv1a((wordStart ? '▁' : '') + match[2]) % (PIECES_END - FIRST_PIECE)));
    }
    return ids;
  },
});
