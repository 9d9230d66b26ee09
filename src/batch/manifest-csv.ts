/**
 * A CSV manifest: a header row, then one row per sample. Columns named after the pipeline's inputs
 * (case-insensitive) hold file paths; an optional `name` column gives the sample's id; an optional
 * `set` column holds `key=value;key=value` overrides. Other columns are ignored (notes, durations).
 * Parsed by csv-parse as a stream, so rows are read as they are consumed; a row the parser rejects
 * (a stray quote, a wrong field count) is that row's problem and parsing goes on.
 */
import path from 'node:path';
import { type CsvError, parse } from 'csv-parse';
import { closest } from '../config/did-you-mean.ts';
import { UsageError } from '../core/errors.ts';
import { type ManifestRow, manifestRowEntry } from './manifest-row.ts';
import { openManifest } from './manifest-stream.ts';
import { SampleIds } from './sample-ids.ts';
import { type PipelineInputSpec, problemEntry, type SampleEntry } from './sample-types.ts';

const NAME_COLUMN = 'name';
const SET_COLUMN = 'set';

interface Columns {
  name?: number;
  set?: number;
  inputs: Record<string, number>;
  count: number;
}

export async function* listCsvManifest(
  file: string,
  inputs: readonly PipelineInputSpec[],
): AsyncGenerator<SampleEntry> {
  const skipped: { line: number; message: string }[] = [];
  const source = await openManifest(file);
  const parser = source.pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      skip_records_with_error: true,
      on_skip: (err: CsvError | undefined) => {
        if (err) skipped.push({ line: Number(err.lines), message: err.message });
        return undefined;
      },
    }),
  );
  const context = { manifestDir: path.dirname(file), inputs, ids: new SampleIds() };
  const base = path.basename(file);
  let columns: Columns | undefined;
  let number = 0;
  // `pipe` does not pass a read error on: without this the loop below would wait forever.
  source.once('error', (err) => parser.destroy(err));
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      yield* skippedRows(skipped, info.lines, base, () => ++number);
      if (columns === undefined) {
        columns = readHeader(record, inputs, file);
        continue;
      }
      number += 1;
      const origin = `${base}:${info.lines}`;
      if (record.length !== columns.count) {
        yield problemEntry(`row-${number}`, origin, fieldCountMessage(record.length, columns.count));
        continue;
      }
      yield await manifestRowEntry(csvRow(record, columns, origin, number), context);
    }
  } finally {
    // A consumer that stops early must not leave the file open.
    source.destroy();
  }
  yield* skippedRows(skipped, Number.POSITIVE_INFINITY, base, () => ++number);
  if (columns === undefined)
    throw new UsageError(`${file}: the manifest is empty — expected a header row naming the inputs`);
}

/**
 * Rows the parser rejected before line `before`, in file order: the parser reads ahead of the
 * consumer, so a rejection can be reported to us before the good rows above it are taken.
 */
function* skippedRows(skipped: { line: number; message: string }[], before: number, base: string, next: () => number) {
  while (skipped.length > 0 && (skipped[0] as { line: number }).line < before) {
    const row = skipped.shift() as { line: number; message: string };
    yield problemEntry(
      `row-${next()}`,
      `${base}:${row.line}`,
      `unreadable CSV row (${row.message}) — quote a field that holds a comma or quote, doubling inner quotes`,
    );
  }
}

function fieldCountMessage(got: number, expected: number): string {
  return `row has ${got} field${got === 1 ? '' : 's'}, the header has ${expected} — quote a field that holds a comma`;
}

/** The header's columns; a manifest without a column for every input is refused as a whole. */
function readHeader(header: readonly string[], inputs: readonly PipelineInputSpec[], file: string): Columns {
  const index = new Map<string, number>();
  header.forEach((column, i) => {
    const key = column.toLowerCase();
    if (index.has(key)) throw new UsageError(`${file}:1: column "${column}" appears twice — keep one`);
    index.set(key, i);
  });
  for (const reserved of [NAME_COLUMN, SET_COLUMN]) {
    if (inputs.some((spec) => spec.name.toLowerCase() === reserved)) {
      throw new UsageError(
        `${file}: the pipeline has an input named "${reserved}", which a CSV manifest reserves — use a .jsonl manifest`,
      );
    }
  }
  const known = new Set([NAME_COLUMN, SET_COLUMN, ...inputs.map((spec) => spec.name.toLowerCase())]);
  const others = header.filter((column) => !known.has(column.toLowerCase()));
  const missing = inputs.filter((spec) => !index.has(spec.name.toLowerCase()) && !spec.from);
  if (missing.length > 0) {
    const first = (missing[0] as PipelineInputSpec).name;
    const near = closest(first, others);
    throw new UsageError(
      `${file}:1: no column for input${missing.length > 1 ? 's' : ''} ${missing.map((s) => s.name).join(', ')} — the header needs one column per input` +
        (near === undefined ? '' : ` (rename column "${near}" to "${first}"?)`),
    );
  }
  return {
    name: index.get(NAME_COLUMN),
    set: index.get(SET_COLUMN),
    inputs: Object.fromEntries(inputs.map((spec) => [spec.name, index.get(spec.name.toLowerCase()) as number])),
    count: header.length,
  };
}

function csvRow(record: readonly string[], columns: Columns, origin: string, number: number): ManifestRow {
  const cell = (i: number | undefined) => (i === undefined ? undefined : record[i]);
  const set = (cell(columns.set) ?? '')
    .split(';')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const paths = Object.fromEntries(Object.entries(columns.inputs).map(([input, i]) => [input, record[i]]));
  return { origin, number, name: cell(columns.name), paths, set };
}
