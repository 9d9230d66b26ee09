/**
 * What turns VALL-E X tokens into `xy_pos`. The axinc split keeps embeddings and positions outside
 * the decoder graphs (its own small embedding models); the reference decoders do the same, and no
 * embedding weights ship with them, so `SeededVallexEmbedder` stands in: seeded N(0, 0.1) tables
 * (text 2048 + language 3 rows; AR audio 1026 rows = 1024 codes, EOS 1024, BOS 1025; one NAR table
 * of 1025 rows per codebook) and VALL-E's sinusoidal positions (sin on even, cos on odd channels,
 * 10000^(−2i/D), text and audio each counted from 0). A real export plugs in its own embedder.
 */
import { normalWeights } from '../../src/onnx/random.ts';
import type { Model } from '../shared/open-model.ts';
import { fixedAxis } from './model-dims.ts';
import { VALLEX_TEXT_VOCAB } from './tokenizer.ts';

export const AUDIO_EOS = 1024;
export const AUDIO_BOS = 1025;
export const CODEBOOKS = 8;

export interface VallexEmbedder {
  readonly dim: number;
  /** [L, D]: text tokens (each with its model language id) + text positions 0..L−1. */
  arText(tokens: readonly number[], languages: readonly number[]): Float32Array;
  /** [L, D]: codebook-1 tokens (codes, EOS, BOS) at audio positions first..first+L−1. */
  arAudio(tokens: readonly number[], firstPosition: number): Float32Array;
  /** [L, D]: NAR text embedding + positions. */
  narText(tokens: readonly number[], languages: readonly number[]): Float32Array;
  /** [T, D]: codebook `codebook` (0-based) codes through the NAR audio embedding; no positions. */
  narAudio(codebook: number, codes: ArrayLike<number>): Float32Array;
}

/** VALL-E's SinePositionalEmbedding values for `count` positions from `first`, added into `x`. */
export function addSinePositions(x: Float32Array, dim: number, first = 0): Float32Array {
  const rows = x.length / dim;
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < dim; i += 2) {
      const angle = (first + p) * Math.exp((-i * Math.log(10000)) / dim);
      x[p * dim + i] += Math.sin(angle);
      if (i + 1 < dim) x[p * dim + i + 1] += Math.cos(angle);
    }
  }
  return x;
}

export class SeededVallexEmbedder implements VallexEmbedder {
  private readonly arTextTable: Float32Array;
  private readonly narTextTable: Float32Array;
  private readonly arLanguage: Float32Array;
  private readonly narLanguage: Float32Array;
  private readonly arAudioTable: Float32Array;
  private readonly narAudioTables: Float32Array[];

  /** An embedder as wide as the AR model's `xy_pos` (the file declares its own width). */
  static forModel(ar: Pick<Model, 'session' | 'path'>, seed?: string): SeededVallexEmbedder {
    return new SeededVallexEmbedder(fixedAxis(ar, 'xy_pos', 2), seed);
  }

  constructor(
    readonly dim: number,
    seed = 'reel-vallex-embeddings',
  ) {
    const table = (name: string, rows: number) => normalWeights(`${seed}/${name}`, rows * dim, 0.1);
    this.arTextTable = table('ar_text', VALLEX_TEXT_VOCAB);
    this.narTextTable = table('nar_text', VALLEX_TEXT_VOCAB);
    this.arLanguage = table('ar_language', 3);
    this.narLanguage = table('nar_language', 3);
    this.arAudioTable = table('ar_audio', AUDIO_BOS + 1);
    this.narAudioTables = Array.from({ length: CODEBOOKS }, (_, c) => table(`nar_audio.${c}`, AUDIO_EOS + 1));
  }

  private rows(
    table: Float32Array,
    ids: readonly number[],
    extra?: { table: Float32Array; ids: readonly number[] },
  ): Float32Array {
    const d = this.dim;
    const out = new Float32Array(ids.length * d);
    ids.forEach((id, r) => {
      for (let k = 0; k < d; k++) out[r * d + k] = table[id * d + k] + (extra ? extra.table[extra.ids[r] * d + k] : 0);
    });
    return out;
  }

  arText(tokens: readonly number[], languages: readonly number[]): Float32Array {
    return addSinePositions(this.rows(this.arTextTable, tokens, { table: this.arLanguage, ids: languages }), this.dim);
  }

  arAudio(tokens: readonly number[], firstPosition: number): Float32Array {
    return addSinePositions(this.rows(this.arAudioTable, tokens), this.dim, firstPosition);
  }

  narText(tokens: readonly number[], languages: readonly number[]): Float32Array {
    return addSinePositions(
      this.rows(this.narTextTable, tokens, { table: this.narLanguage, ids: languages }),
      this.dim,
    );
  }

  narAudio(codebook: number, codes: ArrayLike<number>): Float32Array {
    return this.rows(this.narAudioTables[codebook], Array.from(codes));
  }
}
