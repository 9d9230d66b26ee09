/**
 * A subset of FastPitch's `english_cleaners_v2` (DLE common/text/cleaners.py): ASCII folding,
 * number expansion, abbreviation expansion, lowercasing, whitespace collapsing, `/` → space —
 * in that order, as v2 runs them. Implemented here: diacritics stripped by NFKD and typographic
 * quotes/dashes/ellipsis folded to ASCII; integers (with thousands commas) up to 10^15 − 1,
 * decimals, ordinals (1st, 22nd), `$`/`£`/`€` amounts and `%`; the title abbreviations of the
 * Tacotron list (mr., mrs., dr., st., …) and `&` → and. Not implemented: dates and times,
 * letter-number mixes, acronym spelling, unidecode's transliteration of non-Latin scripts
 * (those characters are dropped later, as DLE drops symbols outside the set).
 */

const ABBREVIATIONS: ReadonlyArray<[string, string]> = [
  ['mrs', 'misess'],
  ['mr', 'mister'],
  ['dr', 'doctor'],
  ['st', 'saint'],
  ['co', 'company'],
  ['jr', 'junior'],
  ['maj', 'major'],
  ['gen', 'general'],
  ['drs', 'doctors'],
  ['rev', 'reverend'],
  ['lt', 'lieutenant'],
  ['hon', 'honorable'],
  ['sgt', 'sergeant'],
  ['capt', 'captain'],
  ['esq', 'esquire'],
  ['ltd', 'limited'],
  ['col', 'colonel'],
  ['ft', 'fort'],
];

const ONES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];

function belowThousand(n: number): string {
  const words: string[] = [];
  if (n >= 100) {
    words.push(ONES[Math.floor(n / 100)], 'hundred');
    n %= 100;
  }
  if (n >= 20) {
    words.push(n % 10 ? `${TENS[Math.floor(n / 10)]}-${ONES[n % 10]}` : TENS[Math.floor(n / 10)]);
  } else if (n > 0) {
    words.push(ONES[n]);
  }
  return words.join(' ');
}

/** Cardinal words of a non-negative integer below 10^15 ("one thousand two hundred five"). */
export function numberToWords(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0 || n >= 1e15)
    return String(n)
      .split('')
      .map((d) => ONES[Number(d)] ?? d)
      .join(' ');
  if (n === 0) return ONES[0];
  const groups: string[] = [];
  for (let scale = 0; n > 0; scale++, n = Math.floor(n / 1000)) {
    const part = n % 1000;
    if (part) groups.unshift(SCALES[scale] ? `${belowThousand(part)} ${SCALES[scale]}` : belowThousand(part));
  }
  return groups.join(' ');
}

const ORDINAL_ENDINGS: Record<string, string> = {
  one: 'first',
  two: 'second',
  three: 'third',
  five: 'fifth',
  eight: 'eighth',
  nine: 'ninth',
  twelve: 'twelfth',
};

export function ordinalToWords(n: number): string {
  const words = numberToWords(n);
  const m = /([a-z]+)$/.exec(words)!;
  const last = m[1];
  const ordinal = ORDINAL_ENDINGS[last] ?? (last.endsWith('y') ? `${last.slice(0, -1)}ieth` : `${last}th`);
  return words.slice(0, m.index) + ordinal;
}

const CURRENCY: Record<string, [string, string]> = {
  $: ['dollar', 'cent'],
  '£': ['pound', 'penny'],
  '€': ['euro', 'cent'],
};

function plural(count: number, unit: string): string {
  if (count === 1) return `one ${unit}`;
  return `${numberToWords(count)} ${unit === 'penny' ? 'pence' : `${unit}s`}`;
}

function expandNumbers(text: string): string {
  return text
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/([$£€])(\d+)(?:\.(\d{1,2}))?/g, (_, sym: string, whole: string, frac: string | undefined) => {
      const [unit, sub] = CURRENCY[sym];
      const parts = [plural(Number(whole), unit)];
      const cents = frac ? Number(frac.padEnd(2, '0')) : 0;
      if (cents) parts.push(plural(cents, sub));
      return parts.join(', ');
    })
    .replace(
      /(\d+)\.(\d+)/g,
      (_, a: string, b: string) =>
        `${numberToWords(Number(a))} point ${b
          .split('')
          .map((d) => ONES[Number(d)])
          .join(' ')}`,
    )
    .replace(/(\d+)(st|nd|rd|th)\b/gi, (_, n: string) => ordinalToWords(Number(n)))
    .replace(/(\d+)\s*%/g, (_, n: string) => `${numberToWords(Number(n))} percent`)
    .replace(/\d+/g, (n) => numberToWords(Number(n)));
}

function toAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019\u201a\u2032]/g, "'")
    .replace(/[\u201c\u201d\u201e\u2033«»]/g, '"')
    .replace(/[\u2013\u2014\u2212]/g, '-')
    .replace(/\u2026/g, '...');
}

function expandAbbreviations(text: string): string {
  let out = text.replace(/&/g, ' and ');
  for (const [short, long] of ABBREVIATIONS) out = out.replace(new RegExp(`\\b${short}\\.`, 'gi'), long);
  return out;
}

/** The text FastPitch's front end sees: `english_cleaners_v2` as far as listed above. */
export function englishCleaners(text: string): string {
  const cleaned = expandAbbreviations(expandNumbers(toAscii(text)))
    .toLowerCase()
    .replace(/\s+/g, ' ');
  return cleaned.replace(/\/+/g, ' ');
}
