/**
 * What the file sinks share: where the output goes (inside --out DIR, which is created), and the
 * check that the chunks of one stream tile it — in index order, each starting where the previous
 * ended — since a sink that silently wrote a gap or an overlap would hide an upstream bug as a
 * click or a jump in the output.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { StageCreateContext } from '../../src/core/stage.ts';

/** The final path of a sink's file: `file` (relative to --out DIR), else `<output name>.<ext>`. */
export async function sinkOutputPath(ctx: StageCreateContext, file: string | null, ext: string): Promise<string> {
  if (!ctx.outDir) throw new Error(`stage "${ctx.id}" writes a file but the run has no output folder (--out DIR)`);
  const outDir = resolve(ctx.outDir);
  const name = file ?? `${ctx.outputName ?? ctx.id}.${ext}`;
  const path = resolve(outDir, name);
  const rel = relative(outDir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new Error(`stage "${ctx.id}": file "${name}" is not a file name inside the output folder ${outDir}`);
  }
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw new Error(`stage "${ctx.id}": cannot create the output folder ${dirname(path)}: ${(err as Error).message}`, { cause: err });
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
      throw new Error(`${this.what}: chunk ${index} arrived where chunk ${this.nextIndex} was expected (chunks must come in order)`);
    }
    if (startUnit !== this.units) {
      throw new Error(
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

  /** The subclass calls this once its writer has finished the file. */
  protected markFinished(): void {
    this.state = 'finished';
  }

  /**
   * Kills the writer (or drops a finished but uncommitted file, when another output failed).
   * Every caller — the operator's teardown, then dispose — waits for the same abort, so the run
   * settles only once the temp file is gone.
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

  /** Teardown before finishing (failure, cancel); a finished file waits for commit or dispose. */
  abortIfOpen(): Promise<void> {
    return this.state === 'open' ? this.abort() : Promise.resolve();
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
