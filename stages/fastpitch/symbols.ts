/**
 * FastPitch's `english_basic` symbol set (NVIDIA/DeepLearningExamples, PyTorch/SpeechSynthesis/
 * FastPitch/common/text/symbols.py `get_symbols('english_basic')` with cmudict.py
 * `valid_symbols`): pad `_` (id 0), special `-`, punctuation `!'(),.:;? ` (space included),
 * 52 letters A–Z a–z, then the 84 ARPAbet phones prefixed with `@` (they would collide with the
 * capital letters otherwise). 1 + 1 + 10 + 52 + 84 = 148 ids, the embedding rows of the model.
 */

const PAD = '_';
const SPECIAL = '-';
const PUNCTUATION = "!'(),.:;? ";
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** CMUdict's phone inventory in cmudict.py order: vowels carry stress 0/1/2 or none. */
export const ARPABET: readonly string[] = Object.freeze([
  'AA',
  'AA0',
  'AA1',
  'AA2',
  'AE',
  'AE0',
  'AE1',
  'AE2',
  'AH',
  'AH0',
  'AH1',
  'AH2',
  'AO',
  'AO0',
  'AO1',
  'AO2',
  'AW',
  'AW0',
  'AW1',
  'AW2',
  'AY',
  'AY0',
  'AY1',
  'AY2',
  'B',
  'CH',
  'D',
  'DH',
  'EH',
  'EH0',
  'EH1',
  'EH2',
  'ER',
  'ER0',
  'ER1',
  'ER2',
  'EY',
  'EY0',
  'EY1',
  'EY2',
  'F',
  'G',
  'HH',
  'IH',
  'IH0',
  'IH1',
  'IH2',
  'IY',
  'IY0',
  'IY1',
  'IY2',
  'JH',
  'K',
  'L',
  'M',
  'N',
  'NG',
  'OW',
  'OW0',
  'OW1',
  'OW2',
  'OY',
  'OY0',
  'OY1',
  'OY2',
  'P',
  'R',
  'S',
  'SH',
  'T',
  'TH',
  'UH',
  'UH0',
  'UH1',
  'UH2',
  'UW',
  'UW0',
  'UW1',
  'UW2',
  'V',
  'W',
  'Y',
  'Z',
  'ZH',
]);

export const ENGLISH_BASIC: readonly string[] = Object.freeze([
  ...(PAD + SPECIAL + PUNCTUATION + LETTERS),
  ...ARPABET.map((p) => `@${p}`),
]);

export const PAD_ID = 0;

const ids = new Map(ENGLISH_BASIC.map((s, i) => [s, i]));

/** Id of one symbol (a character, or `@` + an ARPAbet phone), or undefined if not in the set. */
export function symbolId(symbol: string): number | undefined {
  return ids.get(symbol);
}
