/**
 * WAV output, written by reel itself (RIFF is a 44–58 byte header and raw PCM; an ffmpeg child
 * would add a process and a pipe for nothing). Samples go straight to a temp file, block by block;
 * the header's sizes are patched at the end and the file is renamed into place.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { CancelledError, MediaError } from '../core/errors.ts';
import { atomicOutput, type AtomicOutput } from './atomicOutput.ts';

export interface WavWriterOptions {
  /**
   * Leave the finished file under its temp name until `commit()` (a run with several outputs
   * moves them all into place only once every one has finished). Default false.
   */
  deferCommit?: boolean;
  sampleRate: number;
  channels: number;
  /** `s16`: 16-bit integer PCM (clipped to [-1, 1]); `f32`: 32-bit float PCM. Default `s16`. */
  sampleFormat?: 's16' | 'f32';
  /** Aborting removes the temp file; later writes throw CancelledError. */
  signal?: AbortSignal;
}

export interface WavWriter {
  /** With `deferCommit`: moves the finished file onto its final name. */
  commit(): Promise<void>;
  /** With `deferCommit`: removes the finished (uncommitted) file. Never throws. */
  discard(): Promise<void>;
  /** Appends interleaved samples (a whole number of frames). Resolves once written to the file. */
  write(samples: Float32Array): Promise<void>;
  /** Completes the header and moves the file onto its final name. */
  finish(): Promise<void>;
  /** Drops everything written; no file appears under the final name. */
  abort(): Promise<void>;
  /** Samples per channel written so far. */
  readonly frames: number;
}

// RIFF sizes are 32-bit; a bigger data chunk would make a file no reader accepts.
const MAX_DATA_BYTES = 0xffffffff - 64;

function header(o: Required<Omit<WavWriterOptions, 'signal' | 'deferCommit'>>, dataBytes: number): Buffer {
  const float = o.sampleFormat === 'f32';
  const bytesPerSample = float ? 4 : 2;
  // A float WAV carries an 18-byte fmt (cbSize = 0) and a `fact` chunk, as the spec asks.
  const fmtSize = float ? 18 : 16;
  const size = 12 + 8 + fmtSize + (float ? 12 : 0) + 8;
  const h = Buffer.alloc(size);
  let p = 0;
  p += h.write('RIFF', p); // write() returns a byte count, writeUInt*() the next offset
  p = h.writeUInt32LE(size - 8 + dataBytes, p);
  p += h.write('WAVEfmt ', p);
  p = h.writeUInt32LE(fmtSize, p);
  p = h.writeUInt16LE(float ? 3 : 1, p);
  p = h.writeUInt16LE(o.channels, p);
  p = h.writeUInt32LE(o.sampleRate, p);
  p = h.writeUInt32LE(o.sampleRate * o.channels * bytesPerSample, p);
  p = h.writeUInt16LE(o.channels * bytesPerSample, p);
  p = h.writeUInt16LE(bytesPerSample * 8, p);
  if (float) {
    p = h.writeUInt16LE(0, p);
    p += h.write('fact', p);
    p = h.writeUInt32LE(4, p);
    p = h.writeUInt32LE(dataBytes / (o.channels * 4), p);
  }
  p += h.write('data', p);
  h.writeUInt32LE(dataBytes, p);
  return h;
}

/**
 * Float samples as PCM: 16-bit (clipped at ±1, rounded half up) or 32-bit float. For a float32 s,
 * s·32767 is exact in a double, and x = s·32767 + 0.5 rounds only where |s| is tiny and the floor
 * cannot change: `floor(x)` is Math.round(s·32767). Near ±1 the sum is exact, so x ≥ 32767.5 is
 * exactly s ≥ 1 and x ≤ −32766.5 exactly s ≤ −1 (checked for every float32 in [−1.5, 1.5]). The
 * sink encodes every output sample on the main thread: voice-convert 600 s took 425 ms of its
 * 2.4 s with Math.round, 186 ms with the clips tested on s (V8 optimised that loop late), ~40 ms so.
 */
function encode(samples: Float32Array, format: 's16' | 'f32'): Buffer {
  if (format === 'f32') return Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const x = samples[i] * 32767 + 0.5;
    out[i] = x >= 32767.5 ? 32767 : x <= -32766.5 ? -32768 : Math.floor(x);
  }
  return Buffer.from(out.buffer);
}

class FileWavWriter implements WavWriter {
  private dataBytes = 0;
  private state: 'open' | 'done' | 'aborted' = 'open';
  private aborting: Promise<void> | undefined;
  private readonly onAbort = () => void this.abort();

  constructor(
    private readonly file: string,
    private readonly out: AtomicOutput,
    private readonly fh: FileHandle,
    private readonly o: Required<Omit<WavWriterOptions, 'signal' | 'deferCommit'>>,
    private readonly signal: AbortSignal | undefined,
    private readonly deferCommit = false,
  ) {
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  get frames(): number {
    return this.dataBytes / (this.o.channels * (this.o.sampleFormat === 'f32' ? 4 : 2));
  }

  async write(samples: Float32Array): Promise<void> {
    await this.checkOpen();
    if (samples.length % this.o.channels !== 0) {
      throw new MediaError(
        this.file,
        `a block of ${samples.length} values is not a whole number of ${this.o.channels}-channel frames`,
      );
    }
    const bytes = encode(samples, this.o.sampleFormat);
    if (this.dataBytes + bytes.length > MAX_DATA_BYTES) {
      await this.abort();
      throw new MediaError(
        this.file,
        'audio too long for a WAV file (4 GiB limit); write shorter parts or another format',
      );
    }
    try {
      await this.fh.write(bytes);
    } catch (err) {
      await this.abort();
      throw new MediaError(this.file, `could not write: ${(err as Error).message}`, { cause: err });
    }
    this.dataBytes += bytes.length;
  }

  async finish(): Promise<void> {
    await this.checkOpen();
    this.state = 'done';
    this.signal?.removeEventListener('abort', this.onAbort);
    try {
      await this.fh.write(header(this.o, this.dataBytes), 0, undefined, 0);
      await this.fh.close();
    } catch (err) {
      await this.fh.close().catch(() => {});
      await this.out.discard();
      throw new MediaError(this.file, `could not write: ${(err as Error).message}`, { cause: err });
    }
    if (!this.deferCommit) await this.out.commit();
  }

  commit(): Promise<void> {
    return this.out.commit();
  }

  discard(): Promise<void> {
    return this.out.discard();
  }

  abort(): Promise<void> {
    if (this.state === 'done') return Promise.resolve();
    this.state = 'aborted';
    // One abort, however many callers (the signal and a failing pump) wait on it.
    this.aborting ??= (async () => {
      this.signal?.removeEventListener('abort', this.onAbort);
      await this.fh.close().catch(() => {});
      await this.out.discard();
    })();
    return this.aborting;
  }

  /** Throws once the writer is closed; after an abort, only when its cleanup is done. */
  private async checkOpen(): Promise<void> {
    if (this.signal?.aborted || this.state === 'aborted') {
      await this.abort();
      throw new CancelledError(`${this.file}: cancelled`);
    }
    if (this.state === 'done') throw new MediaError(this.file, 'the WAV writer is already finished');
  }
}

/** Opens a WAV file for streaming writes; nothing appears under `file` until `finish()`. */
export async function openWavWriter(file: string, options: WavWriterOptions): Promise<WavWriter> {
  const o = { sampleRate: options.sampleRate, channels: options.channels, sampleFormat: options.sampleFormat ?? 's16' };
  if (
    !Number.isInteger(o.sampleRate) ||
    o.sampleRate < 1 ||
    !Number.isInteger(o.channels) ||
    o.channels < 1 ||
    o.channels > 64
  ) {
    throw new MediaError(file, `bad WAV format: ${o.sampleRate} Hz, ${o.channels} channels`);
  }
  if (options.signal?.aborted) throw new CancelledError(`${file}: cancelled`);
  const out = await atomicOutput(file);
  let fh: FileHandle;
  try {
    fh = await open(out.tempPath, 'wx');
    await fh.write(header(o, 0));
  } catch (err) {
    await out.discard();
    throw new MediaError(file, `could not create: ${(err as Error).message}`, { cause: err });
  }
  return new FileWavWriter(file, out, fh, o, options.signal, options.deferCommit);
}

/** Writes every block of `source` to a WAV file; on any failure no file appears. */
export async function writeWav(
  file: string,
  source: AsyncIterable<Float32Array>,
  options: WavWriterOptions,
): Promise<{ frames: number }> {
  const writer = await openWavWriter(file, options);
  try {
    for await (const block of source) await writer.write(block);
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  return { frames: writer.frames };
}
