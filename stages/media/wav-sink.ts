/**
 * wav-sink: writes the audio chunks, as they come, to `<out>/<file>` (16-bit or float PCM) at the
 * stream's rate, or resampled to `sampleRate`. Each chunk is acknowledged once it is on disk, so
 * the sink holds one chunk at a time. The file is written under a temp name and renamed into place
 * only when the stream completed; a failure or cancellation (the runtime unsubscribes) removes it.
 */
import { concat, concatMap, defer, finalize, ignoreElements } from 'rxjs';
import { MediaError } from '../../src/core/errors.ts';
import type { PortPacket, StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { AudioPacket } from '../../src/core/types.ts';
import { openWavWriter, type WavWriter } from '../../src/media/index.ts';
import { InterleavedResampler } from './interleaved-resampler.ts';
import { SinkOutput, sinkOutputPath, StreamTiling } from './sink-output.ts';

export interface WavSinkOptions {
  file: string | null;
  sampleFormat: 's16' | 'f32';
  sampleRate: number | null;
}

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

  async write(packet: AudioPacket): Promise<void> {
    const { sampleRate, channels } = packet;
    if (!this.format) {
      this.format = { sampleRate, channels };
      const rate = this.o.sampleRate ?? sampleRate;
      if (rate !== sampleRate) this.resampler = new InterleavedResampler(sampleRate, rate, channels);
      this.writer = openWavWriter(this.path, { sampleRate: rate, channels, sampleFormat: this.o.sampleFormat, signal: this.ctx.signal, deferCommit: true });
    } else if (this.format.sampleRate !== sampleRate || this.format.channels !== channels) {
      throw new MediaError(
        this.path,
        `chunk ${packet.chunk.index} is ${sampleRate} Hz × ${channels} channels, but the stream began at ` +
          `${this.format.sampleRate} Hz × ${this.format.channels}; one WAV file holds one format`,
      );
    }
    this.tiling.accept(packet.chunk.index, packet.startSample, packet.data.length / channels);
    const writer = await this.writer!;
    await writer.write(this.resampler ? this.resampler.push(packet.data) : packet.data);
  }

  async finish(): Promise<void> {
    if (!this.writer) throw new MediaError(this.path, 'no audio arrived: the stream upstream was empty, so there is nothing to write');
    const writer = await this.writer;
    if (this.resampler) await writer.write(this.resampler.flush());
    await writer.finish();
    this.markFinished();
  }

}

export async function createWavSink(o: WavSinkOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const sink = new WavSink(await sinkOutputPath(ctx, o.file, 'wav'), o, ctx);
  return {
    operator: (input) =>
      concat(
        input.pipe(
          concatMap(async (item: PortPacket) => {
            if (item.packet.kind !== 'audio') throw new Error(`port "${item.port}" got a ${item.packet.kind} packet, expected audio`);
            await sink.write(item.packet);
            // The acknowledgement: chunk k is on disk.
            return item;
          }),
        ),
        defer(() => sink.finish()).pipe(ignoreElements()),
      ).pipe(// Torn down before finishing (failure, cancel): drop the partial file. A finished one waits
        // for the run's commit, or for dispose to drop it.
        finalize(() => void sink.abortIfOpen())),
    files: () => sink.files(),
    commit: () => sink.commit(),
    dispose: () => sink.abort(),
  };
}
