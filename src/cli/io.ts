/**
 * Where the CLI writes. The only module that touches stdout/stderr; commands receive it so tests
 * can run them in-process and read what they printed.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Print stack traces and causes (`--verbose`). */
  verbose: boolean;
  /** stdout is a terminal: progress may be redrawn in place there (never in captured output). */
  terminal?: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  verbose: false,
  terminal: Boolean(process.stdout.isTTY),
};
