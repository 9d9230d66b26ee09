/**
 * Canonical JSON (RFC 8785): object keys sorted by UTF-16 code units at every level, numbers as
 * JavaScript prints them. Equal values give equal text whatever order their keys were written in:
 * the key of a pipeline hash, a shared session, a warm stage worker.
 */

/**
 * `resolved` as canonical JSON. It goes through JSON.stringify first, so what JSON drops (undefined
 * members, functions) or rewrites (Date → string, NaN → null) is treated exactly as in a file.
 */
export function canonicalJson(resolved: unknown): string {
  const plain = JSON.stringify(resolved);
  if (plain === undefined) throw new TypeError(`canonicalJson: ${typeof resolved} is not a JSON value`);
  return writeCanonical(JSON.parse(plain));
}

function writeCanonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(writeCanonical).join(',')}]`;
  const object = value as Record<string, unknown>;
  const members = Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${writeCanonical(object[key])}`);
  return `{${members.join(',')}}`;
}
