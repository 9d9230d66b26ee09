/**
 * Sample ids: the order samples are listed in, and the rule that ids are unique in a batch and
 * usable as a file name (the id names the sample's output folder).
 */

// A fixed locale, so the order is the same on every machine; numeric, so `clip 2` comes before `clip 10`.
const collator = new Intl.Collator('en', { numeric: true });

/** The listing order: natural (numbers by value), with code-unit order breaking ties so it is total. */
export function compareIds(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** Why `name` cannot be a sample id (it becomes a folder name), or undefined when it can. */
export function badIdReason(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name === '.' || name === '..') return `"${name}" is not a usable folder name`;
  if (/[/\\]/.test(name)) return `"${name}" holds a slash — a sample name becomes one folder name`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) return `"${name}" holds a control character`;
  return undefined;
}

/** Remembers the ids handed out so far, and where each came from, to refuse a second use. */
export class SampleIds {
  private readonly seen = new Map<string, string>();

  /** Claims `id` for `origin`; returns the one-line problem when another sample already has it. */
  claim(id: string, origin: string): string | undefined {
    const first = this.seen.get(id);
    if (first !== undefined) return `sample name "${id}" is already used by ${first} — give each sample its own name`;
    this.seen.set(id, origin);
    return undefined;
  }
}
