/**
 * reel's errors. Every user-facing failure is a ReelError with a stable `code`; the CLI prints
 * `lines()` (one readable line per problem) and maps `exitCode` to the process exit status.
 */
import { formatLocation, type SourceLocation } from './types.ts';

/** Exit codes of the CLI contract. */
export const EXIT = {
  ok: 0,
  runtime: 1,
  usage: 2,
  batchPartial: 3,
  interrupted: 130,
} as const;

export class ReelError extends Error {
  readonly code: string = 'REEL_ERROR';
  readonly exitCode: number = EXIT.runtime;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The lines the CLI prints, one per problem. */
  lines(): string[] {
    return [this.message];
  }
}

/** One problem found in a pipeline file, with where it is and, where known, how to fix it. */
export interface Issue {
  location?: SourceLocation;
  /** Fallback place when there is no location: the file alone, or a dotted key path. */
  file?: string;
  message: string;
  /** Not an error: a note the CLI prints but that does not fail validation. */
  severity?: 'error' | 'note';
}

export function formatIssue(issue: Issue): string {
  const where = issue.location ? formatLocation(issue.location) : (issue.file ?? '');
  return where ? `${where}: ${issue.message}` : issue.message;
}

/** Usage or validation failure: nothing was run. */
export class ConfigError extends ReelError {
  override readonly code = 'CONFIG_ERROR';
  override readonly exitCode = EXIT.usage;
  readonly issues: readonly Issue[];

  constructor(issues: readonly Issue[]) {
    super(issues.map(formatIssue).join('\n'));
    this.issues = issues;
  }

  override lines(): string[] {
    return this.issues.map(formatIssue);
  }
}

/** A command-line mistake (unknown flag value, malformed `--set`, missing argument). */
export class UsageError extends ReelError {
  override readonly code = 'USAGE_ERROR';
  override readonly exitCode = EXIT.usage;
}

/** A model file that is missing, unreadable, or does not match its stage's contract. */
export class ModelError extends ReelError {
  override readonly code: string = 'MODEL_ERROR';
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

/** A model whose declared inputs/outputs do not match its stage's contract: expected vs found. */
export class ContractError extends ModelError {
  override readonly code = 'CONTRACT_ERROR';
  readonly problems: readonly string[];

  constructor(file: string, what: string, problems: readonly string[]) {
    super(file, `${what}: ${problems.join('; ')}`);
    this.problems = problems;
  }

  override lines(): string[] {
    const head = this.message.slice(0, this.message.length - this.problems.join('; ').length - 2);
    return this.problems.map((p) => `${head}: ${p}`);
  }
}

/** No requested execution provider could be loaded (or the first one could not, under `strict`). */
export class ProviderError extends ReelError {
  override readonly code = 'PROVIDER_ERROR';
}

/** A media file ffmpeg could not read or write; carries ffmpeg's own last stderr line. */
export class MediaError extends ReelError {
  override readonly code = 'MEDIA_ERROR';
  readonly file: string;
  readonly ffmpegReason?: string;

  constructor(file: string, message: string, options?: { cause?: unknown; ffmpegReason?: string }) {
    super(`${file}: ${message}${options?.ffmpegReason ? ` (ffmpeg: ${options.ffmpegReason})` : ''}`, options);
    this.file = file;
    this.ffmpegReason = options?.ffmpegReason;
  }
}

/** A failure inside a stage while it worked on a chunk. */
export class StageError extends ReelError {
  override readonly code = 'STAGE_ERROR';
  readonly stage: string;
  readonly chunkIndex?: number;

  constructor(
    where: { pipeline?: string; stage: string; chunkIndex?: number; start?: number; end?: number },
    message: string,
    options?: { cause?: unknown },
  ) {
    const chunk =
      where.chunkIndex === undefined
        ? ''
        : ` chunk ${where.chunkIndex}` +
          (where.start === undefined ? '' : ` [${where.start.toFixed(2)}s–${(where.end ?? where.start).toFixed(2)}s]`);
    super(`${where.pipeline ? `${where.pipeline}: ` : ''}stage "${where.stage}"${chunk}: ${message}`, options);
    this.stage = where.stage;
    this.chunkIndex = where.chunkIndex;
  }
}

/**
 * An input a stage cannot work with: a packet of the wrong kind, a shape, a length, a box. Thrown
 * by stages and by the item's typed accessors; says what was given and what was expected, never
 * which stage — the runtime wraps it in a StageError with the stage, chunk and time range.
 */
export class InputError extends ReelError {
  override readonly code = 'INPUT_ERROR';
}

/** The run was cancelled (SIGINT, SIGTERM or an AbortSignal). */
export class CancelledError extends ReelError {
  override readonly code = 'CANCELLED';
  override readonly exitCode = EXIT.interrupted;
}
