/**
 * The resume journal of `reel batch`: `<outDir>/.reel-batch/journal.jsonl`, one JSON line per
 * finished sample (done or failed), appended and fsync'd. The latest line of a sample wins, so a
 * re-run only ever appends. A crash loses at most the line being written, and a lost line only
 * means that sample is rendered again: a journal can be behind, never ahead of what is verified,
 * because `check` re-hashes every output before it lets a sample be skipped. That also makes the
 * order of "rename output, append line" safe after a power cut: a line whose output did not reach
 * the disk fails verification and the sample is redone.
 *
 * One process writes a journal at a time: take `lockOutputFolder` before `BatchJournal.open`.
 */
import { mkdir, open, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { z } from 'zod';
import { type FileFingerprint, fingerprintFile } from './fingerprint.ts';

export { type FileFingerprint, fingerprintFile, fingerprintFiles, pipelineHash } from './fingerprint.ts';

/** The folder under the output folder that holds the journal and the lock. */
export const BATCH_STATE_DIR = '.reel-batch';

const fingerprintSchema = z.object({
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** A path relative to the output folder that stays inside it (so `check` never reads elsewhere). */
const outputPathSchema = z
  .string()
  .min(1)
  .refine((p) => !isAbsolute(p) && normalize(p).split(sep)[0] !== '..', 'must be relative to the output folder');

const sampleRecordSchema = z.object({
  id: z.string().min(1),
  status: z.enum(['done', 'failed']),
  // Empty for a sample that failed before its pipeline could be resolved.
  pipelineHash: z.string(),
  inputs: z.record(z.string(), fingerprintSchema),
  outputs: z.record(z.string(), fingerprintSchema.extend({ path: outputPathSchema })),
  error: z.string().optional(),
  wallMs: z.number().optional(),
  mediaSeconds: z.number().optional(),
  attempts: z.number().optional(),
  warnings: z.array(z.string()).optional(),
  finishedAt: z.string(),
});

export interface SampleRecord {
  id: string;
  status: 'done' | 'failed';
  pipelineHash: string;
  /** By input name. */
  inputs: Record<string, FileFingerprint>;
  /** By output name; `path` is relative to the output folder. */
  outputs: Record<string, { path: string; size: number; sha256: string }>;
  /** One line, for failed. */
  error?: string;
  wallMs?: number;
  mediaSeconds?: number;
  /** Runs it took (a queue job run twice, by a worker lost mid-job and another, says 2). */
  attempts?: number;
  /** The stages' warnings while it rendered (kept so that a re-run's report still shows them). */
  warnings?: string[];
  /** ISO 8601. */
  finishedAt: string;
}

export interface CheckResult {
  /** True only when the sample is done and every part of that was verified just now. */
  skip: boolean;
  /** 'done', 'new', 'failed before', 'pipeline changed', 'inputs changed: voice, face',
   * 'input unreadable: voice (ENOENT)', 'output missing: out/alice/video.mp4', 'output altered: …'. */
  reason: string;
  /** The inputs' fingerprints as hashed by this check (absent when one could not be read): put
   * them in the sample's record rather than hashing again after rendering — taken before the
   * render, a file changed during it is caught by the next run instead of being recorded as done. */
  inputs?: Record<string, FileFingerprint>;
}

export class BatchJournal {
  private readonly latest = new Map<string, SampleRecord>();
  /** Appends run one after another, so concurrent `record` calls never interleave their bytes. */
  private tail: Promise<unknown> = Promise.resolve();
  private file: FileHandle | undefined;

  private constructor(
    /** The output folder as given, for messages. */
    readonly outDir: string,
    readonly path: string,
    file: FileHandle,
    /** Complete lines that did not parse as a record (ignored; those samples are simply redone). */
    readonly ignoredLines: number,
  ) {
    this.file = file;
  }

  /** Opens (or creates) `<outDir>/.reel-batch/journal.jsonl`; a torn last line (kill -9 mid-write) is ignored. */
  static async open(outDir: string): Promise<BatchJournal> {
    const dir = join(outDir, BATCH_STATE_DIR);
    await mkdir(dir, { recursive: true });
    const path = join(dir, 'journal.jsonl');
    const bytes = await readFile(path).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return Buffer.alloc(0);
      throw err;
    });
    const complete = bytes.lastIndexOf(0x0a) + 1;
    // A tail without its newline is a write cut short. It is cut off the file too, or the next
    // append would be glued to it and lose a good line along with the torn one.
    if (complete < bytes.length) await truncate(path, complete);
    const file = await open(path, 'a');
    if (bytes.length === 0) await syncFolder(dir);
    const records: SampleRecord[] = [];
    let ignored = 0;
    for (const line of bytes.subarray(0, complete).toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      const parsed = parseLine(line);
      if (parsed) records.push(parsed);
      else ignored++;
    }
    const journal = new BatchJournal(outDir, path, file, ignored);
    for (const r of records) journal.latest.set(r.id, r);
    return journal;
  }

  /** The latest record per sample id. */
  get(id: string): SampleRecord | undefined {
    return this.latest.get(id);
  }

  /**
   * Whether sample `id` is done and still valid: same pipeline hash, same input fingerprints (by
   * input name; `inputs` maps names to paths), every output file present with the recorded size
   * and sha256. Inputs are always hashed (see fingerprint.ts for why); outputs are compared by
   * size first and hashed only when the sizes match.
   */
  async check(id: string, pipelineHash: string, inputs: Record<string, string>): Promise<CheckResult> {
    const read = await readInputs(inputs);
    if (typeof read === 'string') return { skip: false, reason: read };
    const prints = read;
    const r = this.latest.get(id);
    const verdict = (skip: boolean, reason: string): CheckResult => ({ skip, reason, inputs: prints });
    if (!r) return verdict(false, 'new');
    if (r.status !== 'done') return verdict(false, 'failed before');
    if (r.pipelineHash !== pipelineHash) return verdict(false, 'pipeline changed');
    const changed = [...new Set([...Object.keys(r.inputs), ...Object.keys(prints)])].filter(
      (name) => !samePrint(r.inputs[name], prints[name]),
    );
    if (changed.length > 0) return verdict(false, `inputs changed: ${changed.join(', ')}`);
    for (const output of Object.values(r.outputs)) {
      const problem = await this.verifyOutput(output);
      if (problem) return verdict(false, problem);
    }
    return verdict(true, 'done');
  }

  /** Appends a record (one line, fsync'd), so a crash after it keeps it and a crash during it loses only it. */
  record(r: SampleRecord): Promise<void> {
    const checked = sampleRecordSchema.safeParse(r);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      return Promise.reject(new TypeError(`journal record "${r.id}": ${issue.path.join('.')}: ${issue.message}`));
    }
    const line = Buffer.from(`${JSON.stringify(r)}\n`, 'utf8');
    const write = this.tail.then(async () => {
      const file = this.file;
      if (!file) throw new Error(`journal ${this.path} is closed`);
      await file.appendFile(line);
      await file.sync();
      this.latest.set(r.id, r);
    });
    this.tail = write.catch(() => {});
    return write;
  }

  /** Waits for appends in flight, then closes the file. Safe to call twice. */
  async close(): Promise<void> {
    await this.tail;
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }

  /** Undefined when the output is as recorded, else the reason it is not. */
  private async verifyOutput(output: SampleRecord['outputs'][string]): Promise<string | undefined> {
    const file = resolve(this.outDir, output.path);
    const shown = join(this.outDir, output.path);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return `output missing: ${shown}`;
    if (info.size !== output.size) return `output altered: ${shown}`;
    const print = await fingerprintFile(file).catch(() => undefined);
    if (!print) return `output unreadable: ${shown}`;
    return samePrint(print, output) ? undefined : `output altered: ${shown}`;
  }
}

function parseLine(line: string): SampleRecord | undefined {
  try {
    const parsed = sampleRecordSchema.safeParse(JSON.parse(line));
    return parsed.success ? (parsed.data as SampleRecord) : undefined;
  } catch {
    return undefined;
  }
}

function samePrint(a: FileFingerprint | undefined, b: FileFingerprint | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.sha256 === b.sha256;
}

/** The inputs' fingerprints, or 'input unreadable: voice (ENOENT)' for the first that cannot be read. */
async function readInputs(inputs: Record<string, string>): Promise<Record<string, FileFingerprint> | string> {
  const names = Object.keys(inputs);
  const settled = await Promise.allSettled(names.map((name) => fingerprintFile(inputs[name]!)));
  const prints: Record<string, FileFingerprint> = {};
  for (const [i, name] of names.entries()) {
    const s = settled[i]!;
    if (s.status === 'rejected') {
      const err = s.reason as NodeJS.ErrnoException;
      return `input unreadable: ${name} (${err.code ?? err.message})`;
    }
    prints[name] = s.value;
  }
  return prints;
}

/** Makes a new file's name durable: without it a power cut can lose the journal file itself. */
export async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
