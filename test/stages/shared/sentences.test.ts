/** Long sentences are cut for the TTS models: at clauses, then between words, then in slices. */
import { describe, expect, it } from 'vitest';
import { MAX_SENTENCE_CHARS, splitSentences } from '../../../stages/shared/sentences.ts';

const WORDS = 'streaming pipelines keep memory bounded while every stage works on its own chunk'.split(' ');

describe('splitSentences on long text', () => {
  it('cuts 300 unpunctuated words between words into pieces of at most the limit, losing nothing', () => {
    const text = Array.from({ length: 300 }, (_, i) => WORDS[(i * 7) % WORDS.length]).join(' ');
    const pieces = splitSentences(text);
    expect(pieces.length).toBeGreaterThan(1);
    for (const piece of pieces) expect(piece.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(pieces.join(' ')).toBe(text);
    // Whole words only: every piece starts and ends on one.
    for (const piece of pieces) for (const word of piece.split(' ')) expect(WORDS).toContain(word);
  });

  it('prefers clause ends to word gaps', () => {
    const clause = (n: number) => Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]).join(' ');
    const text = `${clause(20)}, ${clause(20)}; ${clause(6)}.`;
    expect(text.length).toBeGreaterThan(MAX_SENTENCE_CHARS);
    const pieces = splitSentences(text);
    expect(pieces[0]).toBe(`${clause(20)},`);
    expect(pieces.join(' ')).toBe(text);
  });

  it('slices one giant word, and leaves sentences within the limit as they were', () => {
    const pieces = splitSentences('x'.repeat(20_000));
    expect(pieces).toHaveLength(20_000 / MAX_SENTENCE_CHARS);
    expect(new Set(pieces.map((p) => p.length))).toEqual(new Set([MAX_SENTENCE_CHARS]));
    expect(splitSentences('Short one. Another, with a comma!')).toEqual(['Short one.', 'Another, with a comma!']);
  });
});
