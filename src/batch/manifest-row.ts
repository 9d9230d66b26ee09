/**
 * One manifest row (CSV or JSON Lines) made into a job: a usable unique name, a file for every
 * input (relative paths from the manifest's folder, checked to exist), and `--set` entries checked
 * the way the CLI checks `--set`. Anything wrong is that row's problem, never a thrown error.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { parseSetFlag } from '../config/overrides.ts';
import { EXAMPLE_EXTENSION } from './input-extensions.ts';
import { badIdReason, type SampleIds } from './sample-ids.ts';
import { jobEntry, type PipelineInputSpec, problemEntry, type SampleEntry } from './sample-types.ts';

export interface ManifestRow {
  /** `manifest.csv:4`: the file and the line the row is on. */
  origin: string;
  /** 1-based number of the row among the manifest's data rows: the id when the row has no name. */
  number: number;
  name?: string;
  /** Path per input name as written in the manifest (undefined or empty when the row left it out). */
  paths: Readonly<Record<string, string | undefined>>;
  set: readonly string[];
}

export interface RowContext {
  manifestDir: string;
  inputs: readonly PipelineInputSpec[];
  ids: SampleIds;
}

export async function manifestRowEntry(row: ManifestRow, context: RowContext): Promise<SampleEntry> {
  const name = row.name?.trim() ?? '';
  const id = name === '' ? `row-${row.number}` : name;
  const badName = name === '' ? undefined : badIdReason(name);
  if (badName) return problemEntry(id, row.origin, `name ${badName} — change the name`);
  const clash = context.ids.claim(id, row.origin);
  // The clash keeps its own id so that a report or journal keyed by id does not overwrite the first row.
  if (clash) return problemEntry(`${id} (${row.origin})`, row.origin, clash);
  const badSet = row.set.map((flag) => setProblem(flag, row.origin)).find((p) => p !== undefined);
  if (badSet) return problemEntry(id, row.origin, badSet);
  const inputs: Record<string, string> = {};
  for (const spec of context.inputs) {
    const written = row.paths[spec.name]?.trim() ?? '';
    if (written === '' && spec.from) continue; // reads the file of the input it names
    if (written === '') {
      return problemEntry(
        id,
        row.origin,
        `no file for input ${spec.name} — give its path, e.g. ${spec.name}.${EXAMPLE_EXTENSION[spec.type]}`,
      );
    }
    const file = path.resolve(context.manifestDir, written);
    const missing = await fileProblem(file);
    if (missing)
      return problemEntry(
        id,
        row.origin,
        `input ${spec.name}: ${written} ${missing} (paths are relative to the manifest's folder)`,
      );
    inputs[spec.name] = file;
  }
  return jobEntry({ id, inputs, set: [...row.set], origin: row.origin });
}

/** The CLI's own `--set` check, so a bad per-row override fails that row before anything runs. */
function setProblem(flag: string, origin: string): string | undefined {
  const parsed = parseSetFlag(flag, origin);
  return 'message' in parsed ? parsed.message : undefined;
}

async function fileProblem(file: string): Promise<string | undefined> {
  const info = await stat(file).catch((err: NodeJS.ErrnoException) => err);
  if (info instanceof Error)
    return info.code === 'ENOENT' ? 'not found' : `cannot be read (${info.code ?? info.message})`;
  if (info.isDirectory()) return 'is a folder, not a file';
  return undefined;
}
