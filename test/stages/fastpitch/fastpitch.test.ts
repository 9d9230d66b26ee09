/** FastPitch front end (symbols, cleaners, sentences), length regulation and the reference-model run. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Model } from '../../../src/inference/model.ts';
import { englishCleaners, numberToWords } from '../../../stages/fastpitch/english-cleaners.ts';
import { ENGLISH_BASIC, symbolId } from '../../../stages/fastpitch/symbols.ts';
import { fastpitchSymbolIds } from '../../../stages/fastpitch/text.ts';
import { concatMels, runFastpitch, synthesizeScript } from '../../../stages/fastpitch/runner.ts';
import { frameToToken, regulatedFrames, tokenRepeats } from '../../../stages/fastpitch/length-regulation.ts';
import { splitSentences } from '../../../stages/shared/sentences.ts';
import { openFastpitch } from './reference-model.ts';

describe('english_basic symbols', () => {
  it('has 148 unique symbols: pad 0, "-" 1, punctuation, 52 letters, 84 @-phones', () => {
    expect(ENGLISH_BASIC).toHaveLength(148);
    expect(new Set(ENGLISH_BASIC).size).toBe(148);
    expect(symbolId('_')).toBe(0);
    expect(symbolId('-')).toBe(1);
    expect(ENGLISH_BASIC.slice(2, 12).join('')).toBe("!'(),.:;? ");
    expect(symbolId('A')).toBe(12);
    expect(symbolId('a')).toBe(12 + 26);
    expect(symbolId('z')).toBe(63);
    expect(symbolId('@AA')).toBe(64);
    expect(symbolId('@ZH')).toBe(147);
    expect(ENGLISH_BASIC.filter((s) => s.startsWith('@'))).toHaveLength(84);
  });
});

describe('english cleaners (v2 subset)', () => {
  it('expands numbers, ordinals, money, percent and abbreviations; lowercases; collapses space', () => {
    expect(numberToWords(0)).toBe('zero');
    expect(numberToWords(1205)).toBe('one thousand two hundred five');
    expect(numberToWords(2_000_042)).toBe('two million forty-two');
    expect(englishCleaners('Dr. Smith paid $3.50   for 1,000 apples!')).toBe(
      'doctor smith paid three dollars, fifty cents for one thousand apples!',
    );
    expect(englishCleaners('The 21st try, 45% done & café')).toBe(
      'the twenty-first try, forty-five percent done and cafe',
    );
    expect(englishCleaners('Pi is 3.14 “roughly”/maybe')).toBe('pi is three point one four "roughly" maybe');
  });

  it('turns text into ids of the cleaned characters, dropping symbols outside the set; braces are ARPAbet', () => {
    const ids = fastpitchSymbolIds('Hi, 2 {HH AH0 L OW1}!');
    const expected = [...'hi, two '].map((c) => ENGLISH_BASIC.indexOf(c));
    expected.push(...['@HH', '@AH0', '@L', '@OW1'].map((p) => ENGLISH_BASIC.indexOf(p)), ENGLISH_BASIC.indexOf('!'));
    expect(ids).toEqual(expected);
    expect(fastpitchSymbolIds('a#b*c')).toEqual([38, 39, 40]);
    expect(() => fastpitchSymbolIds('{XX}')).toThrow(/XX/);
  });
});

describe('sentence splitting', () => {
  it('splits on . ! ? and blank lines, not after titles or initials', () => {
    expect(splitSentences('Hello Mr. Brown. How are you?  I am J. R. fine!\n\nNew para')).toEqual([
      'Hello Mr. Brown.',
      'How are you?',
      'I am J. R. fine!',
      'New para',
    ]);
    expect(splitSentences('  ')).toEqual([]);
    expect(splitSentences('你好。再见！')).toEqual(['你好。', '再见！']);
  });
});

describe('length regulation', () => {
  it('reps = floor(dur/pace + 0.5), summed into frames', () => {
    const d = [1.4, 1.5, 2.49, 0, 3.2];
    expect(Array.from(tokenRepeats(d))).toEqual([1, 2, 2, 0, 3]);
    expect(Array.from(tokenRepeats(d, 2))).toEqual([1, 1, 1, 0, 2]);
    expect(regulatedFrames(d, 0.5)).toBe(3 + 3 + 5 + 0 + 6);
    expect(Array.from(frameToToken([2, 0, 1]))).toEqual([0, 0, 2]);
    expect(() => tokenRepeats(d, 0)).toThrow(/pace/);
  });
});

describe('FastPitch reference model', () => {
  let model: Model;
  beforeAll(async () => {
    model = await openFastpitch();
  });
  afterAll(async () => model?.release());

  it('returns mel [80, num_frames] whose length is Σ ⌊dur/pace + 0.5⌋; pace 2 roughly halves it', async () => {
    const ids = fastpitchSymbolIds('Hello world, this is reel.');
    const normal = await runFastpitch(model, ids);
    expect(normal.durations).toHaveLength(ids.length);
    expect(normal.mel.frames).toBe(regulatedFrames(normal.durations));
    expect(normal.mel.data).toHaveLength(80 * normal.mel.frames);
    expect(normal.mel.frames).toBeGreaterThan(ids.length);
    const fast = await runFastpitch(model, ids, { pace: 2 });
    expect(fast.mel.frames).toBe(regulatedFrames(fast.durations, 2));
    expect(Math.abs(fast.mel.frames - normal.mel.frames / 2)).toBeLessThanOrEqual(ids.length);
    expect(normal.mel.data.every(Number.isFinite)).toBe(true);
  });

  it('synthesises a script sentence by sentence', async () => {
    const parts = await synthesizeScript(model, 'One sentence. And another one!');
    expect(parts.map((p) => p.sentence)).toEqual(['One sentence.', 'And another one!']);
    const joined = concatMels(parts.map((p) => p.mel));
    expect(joined.frames).toBe(parts[0].mel.frames + parts[1].mel.frames);
    // band 3 of the joined mel = band 3 of part 0 then band 3 of part 1
    const f0 = parts[0].mel.frames;
    expect(joined.data[3 * joined.frames + f0]).toBe(parts[1].mel.data[3 * parts[1].mel.frames]);
    expect(joined.data[3 * joined.frames + f0 - 1]).toBe(parts[0].mel.data[4 * f0 - 1]);
  });
});
