/**
 * What listing a batch's `<samples>` yields: a job per sample whose inputs were all found, or a
 * problem that names the sample and the fix. Kept apart from the listing code so the batch runner
 * and the command can import the contract alone.
 */

/** One input of the pipeline, as the batch binds files to it. */
export interface PipelineInputSpec {
  name: string;
  type: 'audio' | 'video' | 'image' | 'text';
  /** The input whose file it reads when the sample has none for it (`from:`); it may then be absent. */
  from?: string;
}

export interface SampleJob {
  /** Stable id, unique in the batch: the subfolder name, the shared stem, or the manifest's `name`/row number. */
  id: string;
  /** Absolute input file per pipeline input name. */
  inputs: Record<string, string>;
  /** Per-job `--set` overrides from a manifest (`key=value` strings as the CLI takes them). */
  set: string[];
  /** Where the job came from, for messages: "samples/alice/" or "manifest.csv:4". */
  origin: string;
}

/** A sample that cannot run; `message` is one line and names the fix. */
export interface SampleProblem {
  id: string;
  origin: string;
  message: string;
}

export type SampleEntry = { kind: 'job'; job: SampleJob } | { kind: 'problem'; problem: SampleProblem };

export function jobEntry(job: SampleJob): SampleEntry {
  return { kind: 'job', job };
}

export function problemEntry(id: string, origin: string, message: string): SampleEntry {
  return { kind: 'problem', problem: { id, origin, message } };
}
