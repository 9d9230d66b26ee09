/**
 * Pipeline file → typed, schema-checked pipeline document. Order: read → YAML syntax → profile
 * and --set overrides → schema. Graph-level checks (kinds, wiring, types, cycles, model files)
 * come after, in src/graph. Every problem is collected and thrown together as one ConfigError.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Issue } from '../core/errors.ts';
import { applyOverrides, isRecord, parseSetFlag, profileOverrides, type Override } from './overrides.ts';
import { PipelineFile } from './schema.ts';
import { type LocationMap, parseYamlWithLocations } from './yaml-source.ts';
import { zodIssues } from './zod-issues.ts';

export interface LoadOptions {
  /** Named profiles to apply (`--profile NAME`, or `fast,gpu`: each in turn, a later one winning). */
  profile?: string;
  /** `--set KEY=VALUE` flags, applied after the profile. */
  set?: readonly string[];
}

export interface LoadedPipeline {
  /** The path as the user gave it (used in messages). */
  file: string;
  /** Absolute folder of the file: relative paths in it resolve against this. */
  dir: string;
  doc: PipelineFile;
  locations: LocationMap;
  profile?: string;
}

/** Pipelines are small; a multi-megabyte file is a mistake (or an attack), not a pipeline. */
const MAX_FILE_BYTES = 1 << 20;

export async function loadPipeline(file: string, options: LoadOptions = {}): Promise<LoadedPipeline> {
  const text = await readPipelineText(file);
  const { parsed, issues } = parseYamlWithLocations(text, file);
  if (!parsed) throw new ConfigError(issues);
  const root = parsed.value;
  if (!isRecord(root)) {
    throw new ConfigError([
      {
        location: parsed.locations.value([]),
        file,
        message: `a pipeline must be a mapping (version, name, inputs, stages, outputs), got ${root === null ? 'an empty document' : Array.isArray(root) ? 'a list' : `a ${typeof root}`}`,
      },
    ]);
  }
  const overrides: Override[] = [];
  const overrideIssues: Issue[] = [];
  for (const name of options.profile?.split(',') ?? []) {
    const fromProfile = profileOverrides(root, name.trim(), parsed.locations);
    if (Array.isArray(fromProfile)) overrides.push(...fromProfile);
    else overrideIssues.push(fromProfile);
  }
  for (const flag of options.set ?? []) {
    const o = parseSetFlag(flag, file);
    if ('key' in o) overrides.push(o);
    else overrideIssues.push(o);
  }
  overrideIssues.push(...applyOverrides(root, overrides, parsed.locations));
  if (overrideIssues.length) throw new ConfigError(overrideIssues);

  const result = PipelineFile.safeParse(root);
  if (!result.success) {
    throw new ConfigError(
      zodIssues(result.error, { schema: PipelineFile, value: root, base: [], locations: parsed.locations }),
    );
  }
  return {
    file,
    dir: path.dirname(path.resolve(file)),
    doc: result.data,
    locations: parsed.locations,
    profile: options.profile,
  };
}

/** At most `limit` bytes of `file`, read in pieces (it may be a pipe or a device). */
async function readAtMost(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let filled = 0;
    while (filled < limit) {
      const { bytesRead } = await handle.read(buffer, filled, limit - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

async function readPipelineText(file: string): Promise<string> {
  const fail = (message: string): never => {
    throw new ConfigError([{ file, message }]);
  };
  let size = 0;
  try {
    const s = await stat(file);
    if (s.isDirectory()) fail('is a folder, not a pipeline file — give the path of a .yaml file');
    size = s.size;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') fail('no such file — check the path (relative paths are taken from the current folder)');
    fail(`cannot read the file (${code ?? (err as Error).message})`);
  }
  if (size > MAX_FILE_BYTES)
    fail(`is ${size} bytes; a pipeline file is at most ${MAX_FILE_BYTES} bytes — is this the right file?`);
  // Read with the bound, whatever the file says its size is: /dev/stdin, a pipe or /dev/zero has none.
  const buffer = await readAtMost(file, MAX_FILE_BYTES + 1);
  if (buffer.length > MAX_FILE_BYTES)
    fail(`is larger than ${MAX_FILE_BYTES} bytes; a pipeline file is at most that — is this the right file?`);
  if (buffer.includes(0)) fail('is not a text file (it contains NUL bytes) — give the path of a .yaml pipeline');
  const text = buffer.toString('utf8');
  if (text.trim() === '') fail('is empty — a pipeline needs at least version, name, inputs, stages and outputs');
  return text;
}
