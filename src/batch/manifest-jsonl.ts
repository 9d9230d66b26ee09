/**
 * A JSON Lines manifest: one object per line, `{"name": "alice", "inputs": {"voice": "a.wav"},
 * "set": ["stages.tts.options.speed=1.1"]}`; `name` and `set` are optional. Inputs sit under
 * `inputs` rather than at the top level so that an input may be called `name` or `set`. Blank
 * lines are skipped; a line that is not such an object is that line's problem.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { suggestion } from '../config/did-you-mean.ts';
import { type ManifestRow, manifestRowEntry } from './manifest-row.ts';
import { openManifest } from './manifest-stream.ts';
import { SampleIds } from './sample-ids.ts';
import { type PipelineInputSpec, problemEntry, type SampleEntry } from './sample-types.ts';

const KEYS = ['name', 'inputs', 'set'];

export async function* listJsonlManifest(
  file: string,
  inputs: readonly PipelineInputSpec[],
): AsyncGenerator<SampleEntry> {
  const stream = await openManifest(file);
  const context = { manifestDir: path.dirname(file), inputs, ids: new SampleIds() };
  const base = path.basename(file);
  let line = 0;
  let number = 0;
  try {
    for await (const text of createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY })) {
      line += 1;
      if (text.trim() === '') continue;
      number += 1;
      const origin = `${base}:${line}`;
      const row = jsonlRow(text, origin, number, inputs);
      if (typeof row === 'string') yield problemEntry(`row-${number}`, origin, row);
      else yield await manifestRowEntry(row, context);
    }
  } finally {
    // A consumer that stops early must not leave the file open.
    stream.destroy();
  }
}

/** The row, or why the line is not one. */
function jsonlRow(
  text: string,
  origin: string,
  number: number,
  inputs: readonly PipelineInputSpec[],
): ManifestRow | string {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    return `not valid JSON (${(err as Error).message}) — write one object per line`;
  }
  if (!isRecord(value)) return 'expected an object like {"inputs": {"voice": "a.wav"}} on each line';
  const unknown = Object.keys(value).find((key) => !KEYS.includes(key));
  if (unknown !== undefined) return `unknown key "${unknown}"${suggestion(unknown, KEYS, 'one of')}`;
  const { name, inputs: paths, set = [] } = value;
  if (name !== undefined && typeof name !== 'string') return '"name" must be a string';
  if (!isRecord(paths)) return '"inputs" must be an object of input name → file path';
  const names = inputs.map((spec) => spec.name);
  for (const [input, file] of Object.entries(paths)) {
    if (!names.includes(input)) return `"inputs" names unknown input "${input}"${suggestion(input, names, 'one of')}`;
    if (typeof file !== 'string') return `"inputs.${input}" must be a file path string`;
  }
  if (!Array.isArray(set) || !set.every((entry) => typeof entry === 'string')) {
    return '"set" must be an array of "key=value" strings';
  }
  return { origin, number, name, paths: paths as Record<string, string>, set };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
