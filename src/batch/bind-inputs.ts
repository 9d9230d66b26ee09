/**
 * Binding a sample's files to the pipeline's inputs once the layout has said which input each file
 * names: exactly one file per input, or a one-line problem saying which files clash or which names
 * were looked for.
 */
import { closest } from '../config/did-you-mean.ts';
import { EXAMPLE_EXTENSION } from './input-extensions.ts';
import type { PipelineInputSpec } from './sample-types.ts';

/** A file of the sample that names an input. */
export interface NamedFile {
  /** The file name as listed (for messages). */
  fileName: string;
  /** Absolute path. */
  path: string;
  /** The pipeline input it names (exact spelling from the pipeline). */
  input: string;
}

export interface BindRequest {
  files: readonly NamedFile[];
  inputs: readonly PipelineInputSpec[];
  /** The file name pattern looked for an input, without extension: `voice` or `alice.voice`. */
  expectedStem: (input: string) => string;
  /** Stems of the sample's files that named no input, to suggest a rename for a near miss. */
  unmatchedStems?: readonly string[];
}

export type BindResult = { inputs: Record<string, string> } | { message: string };

export function bindInputs(request: BindRequest): BindResult {
  const byInput = new Map<string, NamedFile[]>();
  for (const file of request.files) byInput.set(file.input, [...(byInput.get(file.input) ?? []), file]);
  const problems: string[] = [];
  for (const [input, files] of byInput) {
    if (files.length < 2) continue;
    const names = files.map((f) => f.fileName).sort();
    problems.push(
      `ambiguous: ${listWords(names)} ${names.length === 2 ? 'both' : 'all'} bind input ${input} — keep one`,
    );
  }
  // An input with `from:` may be absent: it reads the file of the input it names.
  const missing = request.inputs.filter((spec) => !byInput.has(spec.name) && !spec.from);
  if (missing.length > 0) problems.push(missingMessage(missing, request));
  if (problems.length > 0) return { message: problems.join('; ') };
  return { inputs: Object.fromEntries([...byInput].map(([input, files]) => [input, (files[0] as NamedFile).path])) };
}

function missingMessage(missing: readonly PipelineInputSpec[], request: BindRequest): string {
  const names = missing.map((spec) => spec.name);
  const patterns = missing.map((spec) => `${request.expectedStem(spec.name)}.*`);
  const examples = missing.map((spec) => `${request.expectedStem(spec.name)}.${EXAMPLE_EXTENSION[spec.type]}`);
  const plural = missing.length > 1;
  let message = `missing input${plural ? 's' : ''} ${names.join(', ')}: no ${listWords(patterns)} file${plural ? 's' : ''} — add ${listWords(examples)}`;
  const unmatched = request.unmatchedStems ?? [];
  for (const spec of missing) {
    const expected = request.expectedStem(spec.name);
    const near = closest(expected, unmatched);
    if (near !== undefined) message += ` (found ${near}.* — rename it to ${expected}.*?)`;
  }
  return message;
}

/** `a`, `a and b`, `a, b and c`. */
function listWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
