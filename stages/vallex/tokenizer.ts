/**
 * VALL-E X text tokens and language ids. The real model reads BPE tokens over IPA phonemes
 * (`utils/g2p/bpe_69.json`, 2048 entries) produced by language-specific G2P; that pipeline is not
 * reproduced here. The tokenizer is an interface so a real one can be plugged in; the default,
 * `Utf8ByteTokenizer`, is honest about being a stand-in: it maps each UTF-8 byte b of the text to
 * id 1 + b (1..256 of the 2048 vocabulary; 0 is left for padding). It is deterministic and covers
 * every script, which is all the reference models need.
 */
import { InputError } from '../../src/core/errors.ts';

export type VallexLanguage = 'en' | 'zh' | 'ja';

export const VALLEX_TEXT_VOCAB = 2048;

/** Language ids of the model's language embedding. */
export const MODEL_LANGUAGE_ID: Readonly<Record<VallexLanguage, number>> = Object.freeze({ en: 0, zh: 1, ja: 2 });

/** Language ids as stored in VALL-E X prompt files (`.npz`): a different order. */
export const PROMPT_FILE_LANGUAGE_ID: Readonly<Record<VallexLanguage, number>> = Object.freeze({ zh: 0, ja: 1, en: 2 });

/** A prompt file's language id → the model's. */
export function modelLanguageFromPromptFile(id: number): number {
  const entry = Object.entries(PROMPT_FILE_LANGUAGE_ID).find(([, v]) => v === id);
  if (!entry) throw new InputError(`prompt language id ${id}: expected 0 (zh), 1 (ja) or 2 (en)`);
  return MODEL_LANGUAGE_ID[entry[0] as VallexLanguage];
}

export interface VallexTokenizer {
  /** Token ids in [0, 2048) for `text` in `language`. */
  encode(text: string, language: VallexLanguage): number[];
}

export class Utf8ByteTokenizer implements VallexTokenizer {
  private readonly encoder = new TextEncoder();

  /** The language does not change byte ids (the real tokenizer's G2P differs per language). */
  encode(text: string, _language?: VallexLanguage): number[] {
    return Array.from(this.encoder.encode(text.normalize('NFC')), (b) => 1 + b);
  }
}
