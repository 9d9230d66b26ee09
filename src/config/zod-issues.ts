/**
 * zod issues → reel issues: one readable line each, at the file position of the offending key or
 * value, with "did you mean" for unknown keys.
 */
import type { z } from 'zod';
import type { Issue } from '../core/errors.ts';
import { suggestion } from './did-you-mean.ts';
import type { KeyPath, LocationMap } from './yaml-source.ts';

type ZodIssue = z.core.$ZodIssue;

export function zodIssues(
  error: z.ZodError,
  options: { schema: z.ZodType; value: unknown; base: KeyPath; locations: LocationMap },
): Issue[] {
  return error.issues.map((issue) => toIssue(issue, options));
}

function toIssue(
  issue: ZodIssue,
  o: { schema: z.ZodType; value: unknown; base: KeyPath; locations: LocationMap },
): Issue {
  const path = [...o.base, ...(issue.path as (string | number)[])];
  const name = `"${path.join('.')}"`;
  const got = valueAt(o.value, issue.path as (string | number)[]);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = shapeKeysAt(o.schema, issue.path as (string | number)[]);
      const key = issue.keys[0];
      const extra =
        issue.keys.length > 1
          ? ` (and ${issue.keys
              .slice(1)
              .map((k) => `"${k}"`)
              .join(', ')})`
          : '';
      const where = path.length ? ` in ${name}` : '';
      return {
        location: o.locations.key([...path, key]),
        message: `unknown key "${key}"${extra}${where}${suggestion(key, allowed, 'one of')}`,
      };
    }
    case 'invalid_type':
      if (got === undefined) {
        const parent = path.slice(0, -1);
        return {
          location: o.locations.value(parent),
          message: `missing required key "${path[path.length - 1]}"${parent.length ? ` in "${parent.join('.')}"` : ''}`,
        };
      }
      return at(o, path, `${name}: expected ${issue.expected}, got ${describe(got)}`);
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const near = typeof got === 'string' ? suggestion(got, issue.values.map(String)) : '';
      const expected = values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
      const hint = near.startsWith(' — did') ? `${near} (${expected})` : ` — expected ${expected}`;
      return at(o, path, `${name}: ${describe(got)} is not allowed${hint}`);
    }
    case 'too_small':
      return at(
        o,
        path,
        `${name}: ${describe(got)} is too small — must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}${unitOf(issue.origin)}`,
      );
    case 'too_big':
      return at(
        o,
        path,
        `${name}: ${describe(got)} is too big — must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}${unitOf(issue.origin)}`,
      );
    case 'not_multiple_of':
      return at(o, path, `${name}: ${describe(got)} must be a multiple of ${String(issue.divisor)}`);
    case 'invalid_union':
      return unionIssue(issue, o, path, got);
    default:
      return at(o, path, `${name}: ${issue.message}`);
  }
}

function at(o: { locations: LocationMap }, path: KeyPath, message: string): Issue {
  return { location: o.locations.value(path), message };
}

/** A union failed: report the branch that got furthest, else the forms that were allowed. */
function unionIssue(
  issue: z.core.$ZodIssueInvalidUnion,
  o: { schema: z.ZodType; value: unknown; base: KeyPath; locations: LocationMap },
  path: KeyPath,
  got: unknown,
): Issue {
  // The branch whose problems lie deepest is the one the user meant (a list of providers with one
  // bad name, rather than "not a string").
  const branches = issue.errors.filter((errs) => errs.some((e) => e.path.length > 0));
  if (branches.length === 1 && branches[0].length > 0) {
    const inner = branches[0][0];
    return toIssue({ ...inner, path: [...issue.path, ...inner.path] } as ZodIssue, o);
  }
  const forms = issue.errors
    .map((errs) => errs.find((e) => e.code === 'invalid_type'))
    .filter((e): e is z.core.$ZodIssueInvalidType => e?.code === 'invalid_type')
    .map((e) => e.expected);
  const expected = forms.length ? `expected ${[...new Set(forms)].join(' or ')}` : 'does not match any allowed form';
  return at(o, path, `"${path.join('.')}": ${describe(got)} — ${expected}`);
}

function unitOf(origin: string | undefined): string {
  if (origin === 'string') return ' characters';
  if (origin === 'array') return ' items';
  return '';
}

export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** The keys a strict object allows at `path` inside `schema` (for suggestions). */
export function shapeKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const p of path) {
    if (!s) return [];
    const def = (s as unknown as { def: { type: string; valueType?: z.ZodType; element?: z.ZodType } }).def;
    if (def.type === 'object') s = unwrap((s as z.ZodObject).shape[p as string] as z.ZodType | undefined);
    else if (def.type === 'record') s = unwrap(def.valueType);
    else if (def.type === 'array') s = unwrap(def.element);
    else return [];
  }
  return s && (s as unknown as { def: { type: string } }).def.type === 'object'
    ? Object.keys((s as z.ZodObject).shape)
    : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  for (let i = 0; s && i < 8; i++) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if (['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(def.type) && def.innerType)
      s = def.innerType;
    else break;
  }
  return s;
}
