/**
 * What the file sinks share: where the output goes (inside --out DIR, which is created), and the
 * check that the chunks of one stream tile it — in index order, each starting where the previous
 * ended — since a sink that silently wrote a gap or an overlap would hide an upstream bug as a
 * click or a jump in the output.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { CancelledError, InputError, MediaError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import type { SinkInstance, StageCreateContext } from '../../src/core/stage.ts';

/** The final path of a sink's file: `file` (relative to --out DIR), else `<output name>.<ext>`. */
export async function sinkOutputPath(ctx: StageCreateContext, file: string | null, ext: string): Promise<string> {
  // The runtime always passes --out DIR (default ./out); without it this is a caller's bug.
  if (!ctx.outDir) throw new Error('a file sink was created without an output folder (--out DIR)');
  const outDir = resolve(ctx.outDir);
  const name = file ?? `${ctx.outputName ?? ctx.id}.${ext}`;
  const path = resolve(outDir, name);
  const rel = relative(outDir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new MediaError(
      name,
      `is not a file name inside the output folder ${outDir}; give a relative name without ".."`,
    );
  }
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw new MediaError(dirname(path), `cannot create the output folder: ${(err as Error).message}`, { cause: err });
  }
  return path;
}

/** Follows one stream's chunks: index k+1 after k, each starting at the unit the last one ended. */
export class StreamTiling {
  private nextIndex = 0;
  /** Units (samples or frames) written so far. */
  units = 0;

  constructor(
    private readonly what: string,
    private readonly unit: string,
  ) {}

  /** Throws when the chunk does not follow on; otherwise counts its units as written. */
  accept(index: number, startUnit: number, units: number): void {
    if (index !== this.nextIndex) {
      throw new InputError(
        `${this.what}: chunk ${index} arrived where chunk ${this.nextIndex} was expected (chunks must come in order)`,
      );
    }
    if (startUnit !== this.units) {
      throw new InputError(
        `${this.what}: chunk ${index} starts at ${this.unit} ${startUnit} but ${this.units} ${this.unit}s were written before it` +
          ` (${startUnit > this.units ? 'a gap' : 'an overlap'} of ${Math.abs(startUnit - this.units)}); upstream chunks must tile the clip`,
      );
    }
    this.nextIndex++;
    this.units += units;
  }
}

/** What a sink's file writer offers for the run-wide commit (the media writers with `deferCommit`). */
export interface DeferredWriter {
  abort(): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/**
 * The life of a sink's output file: open (being written under a temp name) → finished (complete,
 * still under the temp name) → done (committed under its final name, once every output of the
 * run has finished) — or aborted, which drops the temp file whatever stage it had reached.
 */
export abstract class SinkOutput<W extends DeferredWriter> {
  protected writer: Promise<W> | undefined;
  private state: 'open' | 'finished' | 'done' | 'aborted' = 'open';
  private aborting: Promise<void> | undefined;

  constructor(readonly path: string) {}

  /** Takes one item; resolves when the next one may come. */
  abstract write(item: StageItem): Promise<void>;

  /** Flushes and closes the file (still under its temp name); then calls `markFinished`. */
  abstract finish(): Promise<void>;

  /** Throws unless items may still be written (a write after abort or finish is refused at once). */
  protected checkOpen(): void {
    if (this.state === 'aborted') throw new CancelledError(`${this.path}: cancelled`);
    if (this.state !== 'open') throw new MediaError(this.path, 'an item arrived after the file was finished');
  }

  /** The subclass calls this once its writer has finished the file. */
  protected markFinished(): void {
    if (this.state === 'open') this.state = 'finished';
  }

  /**
   * Kills the writer (or drops a finished but uncommitted file, when another output failed).
   * Every caller waits for the same abort, so the run settles only once the temp file is gone.
   * A committed file stays: it is the run's output.
   */
  abort(): Promise<void> {
    if (this.state === 'done') return Promise.resolve();
    const finished = this.state === 'finished';
    this.state = 'aborted';
    this.aborting ??= (async () => {
      const writer = await this.writer?.catch(() => undefined);
      await (finished ? writer?.discard() : writer?.abort());
    })();
    return this.aborting;
  }

  /** Moves the finished file onto its final name. */
  async commit(): Promise<void> {
    if (this.state !== 'finished') return;
    await (await this.writer!).commit();
    this.state = 'done';
  }

  files(): readonly string[] {
    return this.state === 'done' ? [this.path] : [];
  }
}

/** The sink's instance, its methods bound (the runtime calls them detached). */
export function sinkInstance(sink: SinkOutput<DeferredWriter>): SinkInstance {
  return {
    write: (item) => sink.write(item),
    finish: () => sink.finish(),
    commit: () => sink.commit(),
    abort: () => sink.abort(),
    files: () => sink.files(),
  };
}
