/**
 * "did you mean" suggestions for mistyped names (stage kinds, options, ports, profiles).
 */
import { distance } from 'fastest-levenshtein';

/** The closest candidate, if it is close enough to be a likely typo. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  // A prefix of a longer name ("hifi" for "hifigan") is a likely abbreviation; failing that, a part
  // of one ("gpu" for "webgpu").
  const list = [...candidates];
  const lower = name.toLowerCase();
  const prefixed = list.filter((c) => name.length >= 3 && c.toLowerCase().startsWith(lower));
  if (prefixed.length === 1) return prefixed[0];
  const containing = list.filter((c) => name.length >= 3 && c.toLowerCase().includes(lower));
  if (prefixed.length === 0 && containing.length === 1) return containing[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of list) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  // A third of the name (at least 2 edits — a swapped pair —, at most 3) still reads as the same word.
  const allowed = Math.min(3, Math.max(2, Math.floor(name.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/** ` — did you mean "x"?`, or the list of valid names when none is close (and the list is short). */
export function suggestion(name: string, candidates: readonly string[], noun = 'one of'): string {
  const near = closest(name, candidates);
  if (near) return ` — did you mean "${near}"?`;
  if (candidates.length === 0) return '';
  if (candidates.length <= 12) return ` — expected ${noun} ${candidates.map((c) => `"${c}"`).join(', ')}`;
  return '';
}
