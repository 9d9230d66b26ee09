/**
 * Listing a samples folder (layouts A and B of `samples.ts`). The top-level listing is read once
 * and sorted — names only, a few MB for 100,000 samples —, then each sample is read and bound only
 * when the consumer asks for the next entry, so a batch that admits samples as workers free up
 * never holds more than one sample folder's listing.
 */
import path from 'node:path';
import { UsageError } from '../core/errors.ts';
import { bindInputs, type NamedFile } from './bind-inputs.ts';
import { fsReason, readFolderEntries } from './folder-entries.ts';
import { MEDIA_EXTENSIONS, splitExtension } from './input-extensions.ts';
import { compareIds, SampleIds } from './sample-ids.ts';
import { jobEntry, type PipelineInputSpec, problemEntry, type SampleEntry } from './sample-types.ts';

/** One sample of the folder before it is read: a subfolder, a group of loose files, or a misnamed file. */
type SampleUnit =
  | { id: string; kind: 'folder' }
  | { id: string; kind: 'loose'; files: NamedFile[] }
  | { id: string; kind: 'unnamed'; file: NamedFile };

export async function* listSampleFolder(
  dir: string,
  inputs: readonly PipelineInputSpec[],
): AsyncGenerator<SampleEntry> {
  const top = await readFolderEntries(dir).catch((err: unknown) => {
    throw new UsageError(`${dir}: cannot read the samples folder (${fsReason(err)})`, { cause: err });
  });
  const units: SampleUnit[] = [
    ...top.folders.map((id): SampleUnit => ({ id, kind: 'folder' })),
    ...groupLooseFiles(dir, top.files, inputs),
  ];
  // Subfolder before loose group on an equal id, so the clash problem goes to the loose files.
  units.sort((a, b) => compareIds(a.id, b.id) || (a.kind === 'folder' ? -1 : b.kind === 'folder' ? 1 : 0));
  const ids = new SampleIds();
  for (const unit of units) {
    const origin = unitOrigin(dir, unit);
    const clash = unit.kind === 'unnamed' ? undefined : ids.claim(unit.id, origin);
    // A clash keeps its own id so that a report or journal keyed by id does not overwrite the first sample.
    if (clash) yield problemEntry(`${unit.id} (${origin})`, origin, clash);
    else if (unit.kind === 'folder') yield await sampleSubfolder(dir, unit.id, inputs);
    else if (unit.kind === 'loose') yield looseSample(dir, unit.id, unit.files, inputs);
    else yield problemEntry(unit.id, origin, unnamedMessage(unit.file));
  }
}

/**
 * Layout B: `alice.voice.wav` joins sample `alice` as input `voice`. In a single-input pipeline any
 * file with a media extension of the input's type is also its own sample (`talk 1.wav` → `talk 1`).
 * A file whose whole stem is an input name (`voice.wav`) names no sample: it becomes a problem
 * rather than being dropped silently, since it was most likely meant as a sample.
 */
function groupLooseFiles(dir: string, files: readonly string[], inputs: readonly PipelineInputSpec[]): SampleUnit[] {
  const byLowerName = new Map(inputs.map((spec) => [spec.name.toLowerCase(), spec]));
  const only = inputs.length === 1 ? inputs[0] : undefined;
  const groups = new Map<string, NamedFile[]>();
  const units: SampleUnit[] = [];
  for (const fileName of files) {
    const { stem, ext } = splitExtension(fileName);
    const dot = stem.lastIndexOf('.');
    const named = dot > 0 ? byLowerName.get(stem.slice(dot + 1).toLowerCase()) : undefined;
    const file = (input: string): NamedFile => ({ fileName, path: path.resolve(dir, fileName), input });
    if (named) addTo(groups, stem.slice(0, dot), file(named.name));
    else if (only && MEDIA_EXTENSIONS[only.type].has(ext.toLowerCase())) addTo(groups, stem, file(only.name));
    else {
      const bare = byLowerName.get(stem.toLowerCase());
      if (bare) units.push({ id: fileName, kind: 'unnamed', file: file(bare.name) });
    }
  }
  for (const [id, group] of groups) units.push({ id, kind: 'loose', files: group });
  return units;
}

function addTo(groups: Map<string, NamedFile[]>, id: string, file: NamedFile): void {
  const group = groups.get(id);
  if (group) group.push(file);
  else groups.set(id, [file]);
}

/** Layout A: the subfolder's files bind by stem, `voice.wav` → input `voice`, case-insensitive. */
async function sampleSubfolder(dir: string, id: string, inputs: readonly PipelineInputSpec[]): Promise<SampleEntry> {
  const folder = path.join(dir, id);
  const origin = `${folder}${path.sep}`;
  let entries: Awaited<ReturnType<typeof readFolderEntries>>;
  try {
    entries = await readFolderEntries(folder);
  } catch (err) {
    return problemEntry(id, origin, `cannot read the sample folder (${fsReason(err)})`);
  }
  if (entries.files.length === 0) {
    const expected = inputs.map((spec) => `${spec.name}.*`).join(', ');
    return problemEntry(id, origin, `holds no input files — put ${expected} in it`);
  }
  const byLowerName = new Map(inputs.map((spec) => [spec.name.toLowerCase(), spec.name]));
  const named: NamedFile[] = [];
  const unmatchedStems: string[] = [];
  for (const fileName of entries.files) {
    const { stem } = splitExtension(fileName);
    const input = byLowerName.get(stem.toLowerCase());
    if (input) named.push({ fileName, path: path.resolve(folder, fileName), input });
    else unmatchedStems.push(stem);
  }
  const broken = named.find((file) => entries.brokenLinks.has(file.fileName));
  if (broken)
    return problemEntry(id, origin, `${broken.fileName} is a link to a file that does not exist — fix or replace it`);
  const bound = bindInputs({ files: named, inputs, expectedStem: (input) => input, unmatchedStems });
  if ('message' in bound) return problemEntry(id, origin, bound.message);
  return jobEntry({ id, inputs: bound.inputs, set: [], origin });
}

function looseSample(dir: string, id: string, files: NamedFile[], inputs: readonly PipelineInputSpec[]): SampleEntry {
  const origin = unitOrigin(dir, { id, kind: 'loose', files });
  const bound = bindInputs({ files, inputs, expectedStem: (input) => `${id}.${input}` });
  if ('message' in bound) return problemEntry(id, origin, bound.message);
  return jobEntry({ id, inputs: bound.inputs, set: [], origin });
}

function unnamedMessage(file: NamedFile): string {
  return `binds input ${file.input} but names no sample — rename it <sample>.${file.fileName} or move it into a sample subfolder`;
}

function unitOrigin(dir: string, unit: SampleUnit): string {
  if (unit.kind === 'folder') return `${path.join(dir, unit.id)}${path.sep}`;
  if (unit.kind === 'unnamed') return path.join(dir, unit.file.fileName);
  return unit.files.length === 1
    ? path.join(dir, (unit.files[0] as NamedFile).fileName)
    : path.join(dir, `${unit.id}.*`);
}
