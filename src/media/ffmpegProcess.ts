/**
 * One ffmpeg or ffprobe child: spawned with reel's fixed flags, its stderr kept (the last lines
 * only, so a chatty run cannot grow memory), its end as a promise, and a kill that waits until
 * the process is reaped — so a cancelled run leaves no zombie and no orphan behind.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { MediaError } from '../core/errors.ts';
import { resolveFfmpeg } from './binaries.ts';
import { mediaErrorFrom, type StreamKind } from './ffmpegReason.ts';

const STDERR_LINES_KEPT = 40;

/** Flags every ffmpeg run gets: no banner, no stats, no reading of the terminal, errors only. */
export const FFMPEG_QUIET = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'error'] as const;

export interface FfmpegExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the binary could not be started at all (e.g. ENOENT). */
  spawnError?: Error;
}

export interface FfmpegRunOptions {
  /** `pipe` to feed pipe:0; default `ignore`. */
  stdin?: 'pipe' | 'ignore';
  /** `pipe` to read pipe:1; default `pipe`. */
  stdout?: 'pipe' | 'ignore';
  /** Extra writable pipes, as fds 3, 4, … (ffmpeg reads them as `pipe:3`, …). */
  extraInputs?: number;
}

export class FfmpegRun {
  readonly child: ChildProcess;
  readonly tool: string;
  readonly done: Promise<FfmpegExit>;
  private readonly tail: string[] = [];
  private partial = '';
  private killed = false;
  private exited = false;

  constructor(tool: 'ffmpeg' | 'ffprobe', args: readonly string[], options: FfmpegRunOptions = {}) {
    const paths = resolveFfmpeg();
    this.tool = paths[tool];
    const stdio: StdioOptions = [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'];
    for (let i = 0; i < (options.extraInputs ?? 0); i++) stdio.push('pipe');
    this.child = spawn(this.tool, [...args], { stdio, windowsHide: true });
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (s: string) => this.keep(s));
    const stderrEnded = new Promise<void>((res) => this.child.stderr!.once('close', res));
    this.done = new Promise<FfmpegExit>((resolveDone) => {
      this.child.once('error', (spawnError) => {
        this.exited = true;
        resolveDone({ code: null, signal: null, spawnError });
      });
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        // stderr may still hold the reason; wait for it, but never for long.
        void Promise.race([stderrEnded, new Promise((r) => setTimeout(r, 2000).unref())]).then(() => {
          this.flushPartial();
          resolveDone({ code, signal });
        });
      });
    });
    // A child that died makes writes fail with EPIPE; the exit status says why, not the EPIPE.
    for (const s of this.child.stdio) (s as Writable | Readable | null)?.on('error', () => {});
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Whether reel killed it (then a non-zero exit is no failure of the media). */
  get killedByUs(): boolean {
    return this.killed;
  }

  get stdout(): Readable {
    return this.child.stdout!;
  }

  get stdin(): Writable {
    return this.child.stdin!;
  }

  /** The writable end ffmpeg reads as `pipe:<fd>`. */
  input(fd: number): Writable {
    return this.child.stdio[fd] as Writable;
  }

  /** ffmpeg's last stderr lines, oldest first. */
  stderrLines(): string[] {
    return this.partial ? [...this.tail, this.partial] : [...this.tail];
  }

  /** SIGKILL (decoding has nothing worth flushing) and wait until the process is reaped. */
  async kill(): Promise<void> {
    if (!this.exited) {
      this.killed = true;
      this.child.kill('SIGKILL');
    }
    await this.done;
  }

  private keep(text: string): void {
    const parts = (this.partial + text).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      if (line.trim() === '') continue;
      this.tail.push(line);
      if (this.tail.length > STDERR_LINES_KEPT) this.tail.shift();
    }
  }

  private flushPartial(): void {
    if (this.partial.trim() !== '') this.tail.push(this.partial);
    this.partial = '';
  }
}

/** Whether an ffmpeg exit is a failure of the media (not a kill of ours, not success). */
export function failed(run: FfmpegRun, exit: FfmpegExit): boolean {
  return !run.killedByUs && (exit.spawnError !== undefined || exit.code !== 0);
}

/** The MediaError for a failed run over `file`: ffmpeg's reason, or why it did not start. */
export function runError(
  run: FfmpegRun,
  exit: FfmpegExit,
  file: string,
  options: { wanted?: StreamKind; urls?: readonly string[] } = {},
): MediaError {
  if (exit.spawnError) {
    const env = run.tool.includes('ffprobe') ? 'FFPROBE_PATH' : 'FFMPEG_PATH';
    return new MediaError(file, `could not start ${run.tool} (${exit.spawnError.message}); check ${env}`, {
      cause: exit.spawnError,
    });
  }
  return mediaErrorFrom(file, run.stderrLines(), options);
}
