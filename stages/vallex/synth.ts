/**
 * VALL-E X over a script, sentence by sentence (VALL-E X `generate_audio_from_long_text`): each
 * sentence is AR-decoded (seed + sentence index, so a sentence's codes do not depend on how the
 * script was chunked) and NAR-completed; with a `fixed` prompt every sentence clones the given
 * prompt, with `sliding` each sentence after the first uses the previous sentence's text and codes.
 * The code streams are concatenated and decoded once, so there is no seam in the audio.
 *
 * The prompt is given as codes (EnCodec [8, T] and its transcript); no EnCodec encoder ships with
 * the reference models (the vallex stage derives stand-in codes, see prompt-codes.ts).
 */
import { InputError } from '../../src/core/errors.ts';
import { splitSentences } from '../shared/sentences.ts';
import { decodeAr, type ArDecodeOptions } from './ar.ts';
import { decodeCodes, VALLEX_RATE } from './codec.ts';
import { CODEBOOKS, type VallexEmbedder } from './embeddings.ts';
import type { RunnableModel, ShapedModel } from './model-dims.ts';
import { decodeNar } from './nar.ts';
import { MODEL_LANGUAGE_ID, Utf8ByteTokenizer, type VallexLanguage, type VallexTokenizer } from './tokenizer.ts';

export interface VallexModels {
  ar: ShapedModel;
  nar: RunnableModel;
  codec: RunnableModel;
  embedder: VallexEmbedder;
  /** @defaultValue Utf8ByteTokenizer */
  tokenizer?: VallexTokenizer;
}

export interface VallexPrompt {
  /** EnCodec codes, codebook-major: 8 rows of T (≤ 15 s = 1125 frames). */
  codes: readonly ArrayLike<number>[];
  /** Its transcript. */
  text: string;
  language: VallexLanguage;
}

export interface VallexOptions extends ArDecodeOptions {
  language?: VallexLanguage;
  prompt?: VallexPrompt;
  /** @defaultValue 'fixed' */
  promptMode?: 'fixed' | 'sliding';
  /** Codes per text token before the AR pass stops. @defaultValue 16 */
  maxLengthFactor?: number;
}

export interface VallexSentence {
  sentence: string;
  /** 8 codebooks × frames of this sentence. */
  codes: Int32Array[];
  stoppedBy: 'eos' | 'max-length';
}

export interface VallexSpeech {
  audio: Float32Array;
  sampleRate: number;
  sentences: VallexSentence[];
}

/** The script's sentences, AR- and NAR-decoded one after another (a stage streams them). */
export async function* vallexSentences(
  models: VallexModels,
  script: string,
  options: VallexOptions = {},
): AsyncGenerator<VallexSentence> {
  const { language = 'en', promptMode = 'fixed', maxLengthFactor = 16, seed = 0 } = options;
  const tokenizer = models.tokenizer ?? new Utf8ByteTokenizer();
  if (options.prompt && options.prompt.codes.length !== CODEBOOKS)
    throw new InputError(`prompt has ${options.prompt.codes.length} codebooks: expected 8`);
  let prompt = options.prompt;
  for (const [index, sentence] of splitSentences(script).entries()) {
    const promptTokens = prompt ? tokenizer.encode(prompt.text, prompt.language) : [];
    const own = tokenizer.encode(sentence, language);
    const text = [...promptTokens, ...own];
    const languages = [
      ...promptTokens.map(() => MODEL_LANGUAGE_ID[prompt!.language]),
      ...own.map(() => MODEL_LANGUAGE_ID[language]),
    ];
    const promptCodes = prompt?.codes ?? [];
    const ar = await decodeAr(
      models.ar,
      models.embedder,
      // VALL-E bounds new codes by 16 × the whole text length (prompt transcript included).
      { text, languages, promptCodes: promptCodes[0] ?? [], maxNewTokens: Math.ceil(maxLengthFactor * text.length) },
      { ...options, seed: seed + index },
    );
    const codes =
      ar.codes.length === 0
        ? Array.from({ length: CODEBOOKS }, () => new Int32Array(0))
        : await decodeNar(models.nar, models.embedder, {
            text,
            languages,
            prompt: promptCodes,
            firstCodebook: ar.codes,
          });
    yield { sentence, codes, stoppedBy: ar.stoppedBy };
    if (promptMode === 'sliding' && ar.codes.length > 0) prompt = { codes, text: sentence, language };
  }
}

export async function synthesizeVallex(
  models: VallexModels,
  script: string,
  options: VallexOptions = {},
): Promise<VallexSpeech> {
  const sentences: VallexSentence[] = [];
  for await (const sentence of vallexSentences(models, script, options)) sentences.push(sentence);
  const joined = Array.from({ length: CODEBOOKS }, (_, c) => {
    const row = new Int32Array(sentences.reduce((a, s) => a + s.codes[c].length, 0));
    let at = 0;
    for (const s of sentences) {
      row.set(s.codes[c], at);
      at += s.codes[c].length;
    }
    return row;
  });
  const audio = await decodeCodes(models.codec, joined);
  return { audio, sampleRate: VALLEX_RATE, sentences };
}
