/**
 * Sentence splitting for the TTS stages: FastPitch and VALL-E X attend over a whole sentence, so
 * long scripts are synthesised one sentence at a time. A sentence ends at `.`, `!`, `?` (or the
 * CJK 。！？) followed by space or the end, or at a blank line — except after a title
 * abbreviation (Mr., Dr., …) or a single-letter initial, where English puts a period mid-sentence.
 */

const NOT_AN_END =
  /(?:^|\s)(?:mrs?|ms|dr|drs|st|jr|sr|prof|rev|gen|capt|col|lt|sgt|maj|hon|esq|ltd|co|ft|vs|etc|e\.g|i\.e|[a-z])\.$/i;

export function splitSentences(text: string): string[] {
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
  return sentences.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length > 0);
}
