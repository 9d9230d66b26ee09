/**
 * Sentence splitting for the TTS stages: FastPitch and VALL-E X attend over a whole sentence, so
 * long scripts are synthesised one sentence at a time. A sentence ends at `.`, `!`, `?` (or the
 * CJK 。！？) followed by space or the end, or at a blank line — except after a title
 * abbreviation (Mr., Dr., …) or a single-letter initial, where English puts a period mid-sentence.
 *
 * A sentence longer than MAX_SENTENCE_CHARS (a script without punctuation, a transcript dump) is
 * cut at clauses (, ; : and dashes), then between words, then — for one giant "word" — every
 * MAX_SENTENCE_CHARS characters: the models are trained on sentences of a few seconds, and VALL-E X
 * given 300 unpunctuated words decoded no audio at all (a 44-byte WAV with exit 0).
 */

/** Longest piece a TTS model is given, characters (~35 English words, ~10 s of speech). */
export const MAX_SENTENCE_CHARS = 200;

const NOT_AN_END =
  /(?:^|\s)(?:mrs?|ms|dr|drs|st|jr|sr|prof|rev|gen|capt|col|lt|sgt|maj|hon|esq|ltd|co|ft|vs|etc|e\.g|i\.e|[a-z])\.$/i;

export function splitSentences(text: string, maxChars = MAX_SENTENCE_CHARS): string[] {
  const sentences: string[] = [];
  for (const paragraph of text.split(/\n\s*\n/)) {
    let start = 0;
    const ends = /[.!?]+["')\]]*(?=\s|$)|[。！？]+/g;
    for (let m = ends.exec(paragraph); m; m = ends.exec(paragraph)) {
      const end = m.index + m[0].length;
      const candidate = paragraph.slice(start, end);
      if (/^[.]/.test(m[0]) && NOT_AN_END.test(candidate.trimEnd())) continue;
      sentences.push(candidate);
      start = end;
    }
    sentences.push(paragraph.slice(start));
  }
  return sentences
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0)
    .flatMap((s) => splitLong(s, maxChars));
}

/** `sentence` in pieces of at most `max` characters: whole clauses, else whole words, else slices. */
function splitLong(sentence: string, max: number): string[] {
  if (sentence.length <= max) return [sentence];
  const clauses = sentence.split(/(?<=[,;:\u2013\u2014])\s+|\s+(?=[\u2013\u2014]\s)/);
  const words = clauses.flatMap((clause) => (clause.length <= max ? [clause] : clause.split(' ')));
  const parts = words.flatMap((word) =>
    word.length <= max
      ? [word]
      : Array.from({ length: Math.ceil(word.length / max) }, (_, i) => word.slice(i * max, (i + 1) * max)),
  );
  // Pack the parts back into pieces as long as allowed, in order.
  const pieces: string[] = [];
  for (const part of parts) {
    const last = pieces.at(-1);
    if (last !== undefined && last.length + 1 + part.length <= max) pieces[pieces.length - 1] = `${last} ${part}`;
    else pieces.push(part);
  }
  return pieces;
}
