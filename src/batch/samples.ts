/**
 * The samples of a batch: `reel batch <pipeline.yaml> <samples>` turns `<samples>` — a folder or a
 * `.csv` / `.jsonl` manifest — into one job per sample, binding files to the pipeline's inputs.
 *
 * Binding rule (the README quotes it):
 * - **Sample folders.** Each subfolder of `<samples>` is a sample named after the folder. A file in
 *   it binds to input `voice` when its name without the last extension is `voice`, ignoring case
 *   (`voice.wav`, `Voice.MP3`). Hidden files, subfolders and files naming no input are ignored.
 * - **Loose files.** Files directly in `<samples>` named `<sample>.<input>.<ext>` are grouped into
 *   sample `<sample>` (`alice.voice.wav` + `alice.face.png` → sample `alice`). Both layouts may
 *   share a folder. For a pipeline with one input, any file whose extension fits that input's type
 *   is also a sample of its own (`talk 1.wav` → sample `talk 1`); other loose files are ignored.
 * - **Manifests.** CSV: a header row; a column per input holding paths relative to the manifest's
 *   folder; optional `name` (the sample's name) and `set` (`key=value;key=value`) columns. JSON
 *   Lines: `{"name"?: "alice", "inputs": {"voice": "a.wav"}, "set"?: ["key=value"]}` per line.
 *   A row without a name is named `row-<n>`, n counting data rows from 1.
 * - **Problems** are reported per sample and the others go on: two files for one input, a missing
 *   input, an empty sample folder, a manifest row that is malformed, names a missing file or
 *   reuses a name. A missing samples folder or manifest, or a CSV header without a column for
 *   every input, stops the batch before anything runs (UsageError).
 *
 * Order: folders sorted by name (natural order: `clip 2` before `clip 10`; subfolders and loose
 * groups together), manifests in file order. Listing is lazy: the top level of a folder is read
 * once, names only, and each sample is read and checked when the consumer asks for it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { listCsvManifest } from './manifest-csv.ts';
import { listJsonlManifest } from './manifest-jsonl.ts';
import { listSampleFolder } from './sample-folder.ts';
import type { PipelineInputSpec, SampleEntry } from './sample-types.ts';

export type { PipelineInputSpec, SampleEntry, SampleJob, SampleProblem } from './sample-types.ts';

/** Lazily lists `<samples>` (a folder, or a .csv / .jsonl manifest file) as jobs and problems, in the order above. */
export async function* listSamples(samples: string, inputs: readonly PipelineInputSpec[]): AsyncGenerator<SampleEntry> {
  if (inputs.length === 0)
    throw new UsageError('the pipeline has no inputs — a batch needs at least one source to bind files to');
  const place = await stat(samples).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT')
      throw new UsageError(`${samples}: no such folder or manifest — give the folder of samples`);
    throw new UsageError(`${samples}: cannot read (${err.code ?? err.message})`, { cause: err });
  });
  if (place.isDirectory()) return yield* listSampleFolder(samples, inputs);
  const ext = path.extname(samples).toLowerCase();
  if (ext === '.csv') return yield* listCsvManifest(samples, inputs);
  if (ext === '.jsonl') return yield* listJsonlManifest(samples, inputs);
  throw new UsageError(
    `${samples}: not a folder, a .csv or a .jsonl manifest — give the folder of samples or a manifest`,
  );
}
