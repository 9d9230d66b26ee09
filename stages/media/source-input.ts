/**
 * What every media source shares: the file bound to its input, the clip id its packets carry,
 * and a pulled packet stream whose teardown can be awaited (so that no ffmpeg child outlives the
 * run that started it).
 */
import { basename } from 'node:path';
import { UsageError } from '../../src/core/errors.ts';
import type { PortPacket, SourceInstance, StageCreateContext } from '../../src/core/stage.ts';
import type { ChunkInfo } from '../../src/core/types.ts';

/** The file bound to this source with `--input NAME=PATH`; a clear error when there is none. */
export function requireInputPath(ctx: StageCreateContext): string {
  if (!ctx.inputPath) {
    // A source's id is its pipeline input's name, so this names the flag to pass, not the stage.
    throw new UsageError(`no file is bound to input "${ctx.id}": pass --input ${ctx.id}=PATH`);
  }
  return ctx.inputPath;
}

/**
 * The clip id of this run. Every source of one run must use the same id — joins downstream
 * (frames k with audio k) match chunks by clip id and index — so it cannot be derived from the
 * input file; the run's private temp folder is shared by every node of the run and by no other
 * run, so clips of concurrent runs never mix either.
 */
export function runClipId(ctx: StageCreateContext): string {
  return ctx.tempDir ? basename(ctx.tempDir) : 'clip';
}

export function chunkInfo(clipId: string, index: number, start: number, end: number, last: boolean): ChunkInfo {
  return { clipId, index, start, end, last };
}

// A generator that does not finish within this after dispose is left behind rather than hang the run.
const TEARDOWN_WAIT_MS = 5000;

/**
 * A source instance over an async generator of packets. The runtime aborts `ctx.signal` (which
 * the decoders watch: it kills ffmpeg) and returns the iterator on dispose; `dispose` then waits
 * until the generator's cleanup — the decoder reaping its ffmpeg child — has finished.
 */
export function pulledSource(produce: () => AsyncGenerator<PortPacket>): SourceInstance {
  let running = false;
  let settled: Promise<void> = Promise.resolve();
  async function* packets(): AsyncGenerator<PortPacket> {
    let release!: () => void;
    settled = new Promise<void>((resolve) => (release = resolve));
    running = true;
    try {
      yield* produce();
    } finally {
      running = false;
      release();
    }
  }
  return {
    packets: packets(),
    async dispose() {
      if (!running) return;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        settled,
        new Promise<void>((resolve) => (timer = setTimeout(resolve, TEARDOWN_WAIT_MS).unref())),
      ]);
      clearTimeout(timer);
    },
  };
}
