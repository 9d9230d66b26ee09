/**
 * YAML text → plain value + a map from every key path to where it stands in the file. Later
 * stages (schema, graph) report problems by key path; this map turns a path into file:line:col.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { Issue } from '../core/errors.ts';
import type { SourceLocation } from '../core/types.ts';

/** A path into the parsed value: object keys and array indices. */
export type KeyPath = readonly (string | number)[];

export function pathKey(path: KeyPath): string {
  return path.join('.');
}

/** Where each value (and each mapping key) stands; filled from the file, then from overrides. */
export class LocationMap {
  private readonly values = new Map<string, SourceLocation>();
  private readonly keys = new Map<string, SourceLocation>();

  constructor(readonly file: string) {}

  setValue(path: KeyPath, loc: SourceLocation): void {
    this.values.set(pathKey(path), loc);
  }

  setKey(path: KeyPath, loc: SourceLocation): void {
    this.keys.set(pathKey(path), loc);
  }

  /** The value at `path`, or the nearest enclosing value that has a location. */
  value(path: KeyPath): SourceLocation | undefined {
    for (let n = path.length; n >= 0; n--) {
      const loc = this.values.get(pathKey(path.slice(0, n)));
      if (loc) return loc;
    }
    return undefined;
  }

  /** The key that names `path` (for "unknown key" errors), else the value's location. */
  key(path: KeyPath): SourceLocation | undefined {
    return this.keys.get(pathKey(path)) ?? this.value(path);
  }
}

export interface ParsedYaml {
  value: unknown;
  locations: LocationMap;
}

/** Upper bound on alias expansions: a "billion laughs" file fails fast instead of eating memory. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses `text` (from `file`, used in locations). Returns issues rather than throwing, so the
 * loader can report every syntax error at once.
 */
export function parseYamlWithLocations(text: string, file: string): { parsed?: ParsedYaml; issues: Issue[] } {
  const lineCounter = new LineCounter();
  // The library's own unique-key check compares every key of a map with every other: 116k keys
  // took 142 s. Keys are checked below in one pass instead.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
  const problems = [...doc.errors, ...doc.warnings.filter((w) => w.code !== 'TAG_RESOLVE_FAILED')];
  if (doc.errors.length > 0) {
    return {
      issues: problems.map((e) => ({
        location: at(e.pos[0]),
        message:
          e.code === 'MULTIPLE_DOCS'
            ? 'a second YAML document starts here; a pipeline file holds one — remove this `---` line and what follows, or put it in its own file'
            : `YAML syntax: ${firstLine(e.message)}`,
      })),
    };
  }
  const duplicates: Issue[] = [];
  if (doc.contents) findDuplicateKeys(doc.contents as Node, at, duplicates);
  if (duplicates.length > 0) return { issues: duplicates };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    const reason = err instanceof Error ? firstLine(err.message) : String(err);
    return {
      issues: [
        {
          file,
          message: `YAML aliases expand too far (${reason}); write the values out or use fewer nested aliases`,
        },
      ],
    };
  }
  const locations = new LocationMap(file);
  if (doc.contents) indexNode(doc.contents as Node, [], locations, at);
  return { parsed: { value, locations }, issues: [] };
}

/**
 * Every map key that repeats an earlier one of the same map, and every `__proto__` key (which
 * JavaScript objects cannot hold as data), in one pass over the document.
 */
function findDuplicateKeys(node: Node, at: (offset: number) => SourceLocation, issues: Issue[]): void {
  const pending: Node[] = [node];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (isMap(next)) {
      const seen = new Map<string, number | undefined>();
      for (const pair of next.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as Node | null;
        const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
        const offset = keyNode?.range?.[0];
        if (key === '__proto__') {
          issues.push({
            location: offset === undefined ? undefined : at(offset),
            message: 'the key "__proto__" is reserved (JavaScript would drop it without a word) — rename it',
          });
        } else if (seen.has(key)) {
          const first = seen.get(key);
          const where = first === undefined ? '' : ` (first at line ${at(first).line})`;
          issues.push({
            location: offset === undefined ? undefined : at(offset),
            message: `YAML syntax: Map keys must be unique: "${key}" appears again${where}`,
          });
        } else seen.set(key, offset);
        if (pair.value) pending.push(pair.value as Node);
      }
    } else if (isSeq(next)) {
      for (const item of next.items) if (item) pending.push(item as Node);
    }
  }
}

function indexNode(
  node: Node,
  path: (string | number)[],
  locations: LocationMap,
  at: (offset: number) => SourceLocation,
): void {
  if (node.range) locations.setValue(path, at(node.range[0]));
  if (isAlias(node)) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const childPath = [...path, key];
      if (keyNode?.range) locations.setKey(childPath, at(keyNode.range[0]));
      if (pair.value) indexNode(pair.value as Node, childPath, locations, at);
      else if (keyNode?.range) locations.setValue(childPath, at(keyNode.range[0]));
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => indexNode(item as Node, [...path, i], locations, at));
  }
}

function firstLine(message: string): string {
  return message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
}
