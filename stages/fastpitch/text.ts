/**
 * FastPitch text → symbol ids (DLE common/text/text_processing.py): clean with
 * `english_cleaners_v2`, then map each character to its `english_basic` id; stretches in curly
 * braces are ARPAbet (`{HH AH0 L OW1}`) and map to the `@` phones. As in DLE, symbols outside the
 * set (and the pad itself) are dropped rather than failing. No CMUdict look-up is done
 * (grapheme input, DLE's `p_arpabet = 0`): pronunciations come only from braces.
 */
import { InputError } from '../../src/core/errors.ts';
import { englishCleaners } from './english-cleaners.ts';
import { PAD_ID, symbolId } from './symbols.ts';

export interface FastpitchTextOptions {
  /** Cleaner applied outside braces. @defaultValue englishCleaners */
  cleaner?: (text: string) => string;
}

function graphemeIds(text: string, out: number[]): void {
  for (const ch of text) {
    const id = symbolId(ch);
    if (id !== undefined && id !== PAD_ID) out.push(id);
  }
}

function arpabetIds(phones: string, out: number[]): void {
  for (const phone of phones.trim().split(/\s+/).filter(Boolean)) {
    const id = symbolId(`@${phone.toUpperCase()}`);
    if (id === undefined) throw new InputError(`"{${phones}}": "${phone}" is not an ARPAbet phone of english_basic`);
    out.push(id);
  }
}

/** Symbol ids of one sentence, ready for the model's `text` input ([1, T] int64). */
export function fastpitchSymbolIds(text: string, options: FastpitchTextOptions = {}): number[] {
  const clean = options.cleaner ?? englishCleaners;
  const ids: number[] = [];
  text = text.trim();
  const braces = /\{([^}]*)\}/g;
  let last = 0;
  for (let m = braces.exec(text); m; m = braces.exec(text)) {
    graphemeIds(clean(text.slice(last, m.index)), ids);
    arpabetIds(m[1], ids);
    last = m.index + m[0].length;
  }
  graphemeIds(clean(text.slice(last)), ids);
  return ids;
}
