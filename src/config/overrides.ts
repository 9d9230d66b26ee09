/**
 * `--set key.path=value` and named profiles: override sets applied to the parsed file before it is
 * validated, so an override is checked exactly like a value written in the file. Each overridden
 * value keeps where it came from (the profile entry's position, or the --set flag).
 */
import { parse as parseYamlValue } from 'yaml';
import type { Issue } from '../core/errors.ts';
import type { SourceLocation } from '../core/types.ts';
import { suggestion } from './did-you-mean.ts';
import type { KeyPath, LocationMap } from './yaml-source.ts';

export interface Override {
  /** Dotted key path, e.g. `stages.dit.options.steps`. */
  key: string;
  value: unknown;
  location: SourceLocation;
}

/** `stages.dit.options.steps=24` → an override; the value is read as YAML (24 → number). */
export function parseSetFlag(flag: string, file: string): Override | Issue {
  const eq = flag.indexOf('=');
  const key = eq < 0 ? '' : flag.slice(0, eq).trim();
  const origin = `--set ${flag}`;
  if (eq < 0 || !isKeyPath(key)) {
    return { file, message: `${origin}: expected KEY=VALUE with a dotted key, e.g. --set stages.dit.options.steps=24` };
  }
  const text = flag.slice(eq + 1);
  let value: unknown;
  try {
    value = text.trim() === '' ? '' : parseYamlValue(text, { maxAliasCount: 10 });
  } catch (err) {
    return { file, message: `${origin}: value is not valid YAML (${(err as Error).message.split('\n')[0]})` };
  }
  return { key, value, location: { file, line: 0, col: 0, origin } };
}

/** Segments that would reach into the object prototype instead of a pipeline key. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor']);

function isKeyPath(key: string): boolean {
  return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key) && !key.split('.').some((k) => FORBIDDEN_SEGMENTS.has(k));
}

/** Profile `name`'s `set:` entries as overrides, or an issue naming the profiles that exist. */
export function profileOverrides(
  root: Record<string, unknown>,
  name: string,
  locations: LocationMap,
): Override[] | Issue {
  const profiles = isRecord(root.profiles) ? root.profiles : {};
  // Own keys only: `--profile __proto__` or `toString` must not find Object's.
  const profile = Object.hasOwn(profiles, name) ? profiles[name] : undefined;
  if (!isRecord(profile)) {
    const names = Object.keys(profiles);
    return {
      file: locations.file,
      message:
        `unknown profile "${name}"` +
        (names.length ? suggestion(name, names, 'a profile named') : ' — this pipeline declares no profiles'),
    };
  }
  const set = isRecord(profile.set) ? profile.set : {};
  return Object.entries(set).map(([key, value]) => {
    const at = locations.value(['profiles', name, 'set', key]);
    return {
      key,
      value,
      location: { ...(at ?? { file: locations.file, line: 1, col: 1 }), origin: `profile "${name}"` },
    };
  });
}

/**
 * Writes each override into `root` (creating mappings on the way) and records its location.
 * Returns an issue for a path that runs through a value that is not a mapping.
 */
export function applyOverrides(
  root: Record<string, unknown>,
  overrides: readonly Override[],
  locations: LocationMap,
): Issue[] {
  const issues: Issue[] = [];
  for (const o of overrides) {
    if (!isKeyPath(o.key)) {
      issues.push({ location: o.location, message: `override key "${o.key}" is not a dotted key path` });
      continue;
    }
    const path = o.key.split('.');
    const unknown = unknownEntry(root, path);
    if (unknown) {
      issues.push({ location: o.location, message: `cannot set "${o.key}": ${unknown}` });
      continue;
    }
    let node: Record<string, unknown> = root;
    let ok = true;
    for (let i = 0; i < path.length - 1; i++) {
      const next = Object.hasOwn(node, path[i]) ? node[path[i]] : undefined;
      if (next === undefined || next === null) {
        node[path[i]] = {};
        locations.setValue(path.slice(0, i + 1), o.location);
      } else if (!isRecord(next)) {
        issues.push({
          location: o.location,
          message: `cannot set "${o.key}": "${path.slice(0, i + 1).join('.')}" is a ${typeof next}, not a mapping`,
        });
        ok = false;
        break;
      }
      node = node[path[i]] as Record<string, unknown>;
    }
    if (!ok) continue;
    node[path[path.length - 1]] = o.value;
    markOverridden(path, o.value, o.location, locations);
  }
  return issues;
}

/** Sections whose entries are named by the user: a key path into one must name an entry that exists. */
const NAMED_SECTIONS: Readonly<Record<string, string>> = { stages: 'stage', inputs: 'input', outputs: 'output' };

/**
 * Why `path` (`stages.<id>.<field>…`) reaches into an entry the pipeline does not have, with the
 * nearest names; undefined when it exists, or when the override sets the whole entry (a new stage).
 */
function unknownEntry(root: Record<string, unknown>, path: readonly string[]): string | undefined {
  const what = NAMED_SECTIONS[path[0]!];
  if (!what || path.length < 3) return undefined;
  const section = isRecord(root[path[0]!]) ? (root[path[0]!] as Record<string, unknown>) : {};
  if (Object.hasOwn(section, path[1]!)) return undefined;
  const names = Object.keys(section);
  return `this pipeline has no ${what} "${path[1]}"${names.length ? suggestion(path[1]!, names, `one of its ${what}s`) : ''}`;
}

function markOverridden(path: KeyPath, value: unknown, loc: SourceLocation, locations: LocationMap): void {
  locations.setValue(path, loc);
  locations.setKey(path, loc);
  if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) markOverridden([...path, k], v, loc, locations);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
