/**
 * ffmpeg's stdout as a pull-based stream of fixed-size blocks. Nothing is read ahead of the
 * consumer beyond the pipe's and the socket's small buffers: while the consumer does not pull,
 * the stdout pipe fills and ffmpeg blocks in write(), so memory stays bounded whatever the clip
 * length. Breaking out of the loop, an error, or the AbortSignal kills the child and waits until
 * it is reaped.
 */
import { CancelledError, MediaError } from '../core/errors.ts';
import { FfmpegRun, failed, runError } from './ffmpegProcess.ts';
import { TRUNCATION, mediaErrorFrom, type StreamKind } from './ffmpegReason.ts';

export interface BlockStream<T> extends AsyncIterable<T> {
  /** The ffmpeg child's pid, once the first pull started it. */
  readonly pid: number | undefined;
  /** Bytes Node has taken from ffmpeg's stdout pipe so far (what ffmpeg managed to write). */
  readonly bytesFromFfmpeg: number;
}

export interface BlockSource<T> {
  file: string;
  wanted: StreamKind;
  signal?: AbortSignal;
  /** Runs on the first pull (it may probe the file): ffmpeg's arguments and the block size. */
  prepare(): Promise<{ args: string[]; urls: string[]; blockBytes: number }>;
  /** Wraps one block's bytes; `bytes` is a fresh buffer the block may keep. The last may be short. */
  toBlock(bytes: Uint8Array, index: number): T;
}

export function cancelled(file: string): CancelledError {
  return new CancelledError(`${file}: cancelled`);
}

class FfmpegBlockStream<T> implements BlockStream<T> {
  private run: FfmpegRun | undefined;
  private started = false;

  constructor(private readonly source: BlockSource<T>) {}

  get pid(): number | undefined {
    return this.run?.pid;
  }

  get bytesFromFfmpeg(): number {
    return (this.run?.stdout as { bytesRead?: number } | undefined)?.bytesRead ?? 0;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    const { file, signal, wanted } = this.source;
    if (this.started) throw new MediaError(file, 'a decode stream can be read only once; decode again');
    this.started = true;
    if (signal?.aborted) throw cancelled(file);
    const { args, urls, blockBytes } = await this.source.prepare();
    if (signal?.aborted) throw cancelled(file);
    const run = new FfmpegRun('ffmpeg', args);
    this.run = run;
    const onAbort = () => void run.kill();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let block = new Uint8Array(blockBytes);
      let filled = 0;
      let index = 0;
      for await (const chunk of run.stdout as AsyncIterable<Buffer>) {
        // Bytes already buffered when the signal fired are not handed out.
        if (signal?.aborted) throw cancelled(file);
        for (let off = 0; off < chunk.length; ) {
          const n = Math.min(blockBytes - filled, chunk.length - off);
          block.set(chunk.subarray(off, off + n), filled);
          filled += n;
          off += n;
          if (filled === blockBytes) {
            if (signal?.aborted) throw cancelled(file);
            yield this.source.toBlock(block, index++);
            block = new Uint8Array(blockBytes);
            filled = 0;
          }
        }
      }
      const exit = await run.done;
      if (signal?.aborted) throw cancelled(file);
      if (failed(run, exit)) throw runError(run, exit, file, { wanted, urls });
      // A cut-off file often decodes "successfully" up to the cut; a short clip is still a failure.
      if (run.stderrLines().some((l) => TRUNCATION.test(l)))
        throw mediaErrorFrom(file, run.stderrLines(), { wanted, urls });
      if (filled > 0) yield this.source.toBlock(block.subarray(0, filled), index);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await run.kill();
    }
  }
}

/** A lazily started ffmpeg decode: the child is spawned on the first pull, not before. */
export function blockStream<T>(source: BlockSource<T>): BlockStream<T> {
  return new FfmpegBlockStream(source);
}
