/**
 * wav-sink: writes the audio chunks, as they come, to `<out>/<file>` (16-bit or float PCM) at the
 * stream's rate, or resampled to `sampleRate`. `write` resolves once the chunk is on its way to
 * disk, so the sink holds one chunk at a time. The file is written under a temp name and renamed
 * into place by `commit`; `abort` (a failure, a cancel) removes it.
 */
import type { StageItem } from '../../src/core/item.ts';
import { MediaError } from '../../src/core/errors.ts';
import type { SinkInstance, StageCreateContext } from '../../src/core/stage.ts';
import { openWavWriter, type WavWriter } from '../../src/media/index.ts';
import { InterleavedResampler } from './interleaved-resampler.ts';
import { SinkOutput, sinkInstance, sinkOutputPath, StreamTiling } from './sink-output.ts';
import type { WavSinkOptions } from './sinks.ts';

class WavSink extends SinkOutput<WavWriter> {
  private format: { sampleRate: number; channels: number } | undefined;
  private resampler: InterleavedResampler | undefined;
  private readonly tiling: StreamTiling;

  constructor(
    path: string,
    private readonly o: WavSinkOptions,
    private readonly ctx: StageCreateContext,
  ) {
    super(path);
    this.tiling = new StreamTiling(`audio for ${path}`, 'sample');
  }

  async write(item: StageItem): Promise<void> {
    this.checkOpen();
    const packet = item.audio('audio');
    const { sampleRate, channels } = packet;
    if (!this.format) {
      this.format = { sampleRate, channels };
      const rate = this.o.sampleRate ?? sampleRate;
      if (rate !== sampleRate) this.resampler = new InterleavedResampler(sampleRate, rate, channels);
      this.writer = openWavWriter(this.path, {
        sampleRate: rate,
        channels,
        sampleFormat: this.o.sampleFormat,
        signal: this.ctx.signal,
        deferCommit: true,
      });
      // Awaited below and by finish/abort; unobserved it would be an unhandled rejection meanwhile.
      this.writer.catch(() => undefined);
    } else if (this.format.sampleRate !== sampleRate || this.format.channels !== channels) {
      throw new MediaError(
        this.path,
        `chunk ${packet.chunk.index} is ${sampleRate} Hz × ${channels} channels, but the stream began at ` +
          `${this.format.sampleRate} Hz × ${this.format.channels}; one WAV file holds one format`,
      );
    }
    this.tiling.accept(packet.chunk.index, packet.startSample, packet.data.length / channels);
    const writer = await this.writer!;
    // The resampler returns new arrays; the packet itself is shared with other consumers and only read.
    await writer.write(this.resampler ? this.resampler.push(packet.data) : packet.data);
  }

  async finish(): Promise<void> {
    // Chunks of no samples are no audio either: an empty file with exit 0 would hide the failure.
    if (!this.writer || this.tiling.units === 0)
      throw new MediaError(this.path, 'no audio arrived: the stream upstream was empty, so there is nothing to write');
    const writer = await this.writer;
    if (this.resampler) await writer.write(this.resampler.flush());
    await writer.finish();
    this.markFinished();
  }
}

export async function createWavSink(o: WavSinkOptions, ctx: StageCreateContext): Promise<SinkInstance> {
  return sinkInstance(new WavSink(await sinkOutputPath(ctx, o.file, 'wav'), o, ctx));
}
