/**
 * mp4-sink: muxes the frames (H.264) and the optional soundtrack (AAC) of each item
 * {frames k, audio k} into `<out>/<file>`, at the frames' fps and size and the audio's own rate.
 *
 * ffmpeg reads its two input pipes in step, by timestamp: a write of frames blocks until the
 * audio up to about the same time has been written, and the other way round. So `write(item k)`
 * issues both writes at once (each pipe keeps its chunks in order) and resolves once item k−1's
 * writes have gone through: item k+1 arrives while k is still queued, which is what lets ffmpeg
 * finish item k when the two streams' chunk boundaries differ (audio cut at a silence, frames on
 * the grid). At most two items are queued in the writer. `finish()` ends both pipes at once, with
 * the last writes still pending, so a longer tail on one stream cannot hold the other.
 *
 * Where the soundtrack runs out before the frames (an item with no audio), silence is written for
 * those frames: ffmpeg would otherwise wait for audio for ever. The file's length follows the
 * frames; a soundtrack that differs from them by more than a frame is reported once in the log.
 */
import type { StageItem } from '../../src/core/item.ts';
import { MediaError } from '../../src/core/errors.ts';
import type { SinkInstance, StageCreateContext } from '../../src/core/stage.ts';
import type { AudioPacket, VideoPacket } from '../../src/core/types.ts';
import { openMp4Writer, type Mp4Writer } from '../../src/media/index.ts';
import { SinkOutput, sinkInstance, sinkOutputPath, StreamTiling } from './sink-output.ts';
import type { Mp4SinkOptions } from './sinks.ts';

class Mp4Sink extends SinkOutput<Mp4Writer> {
  private video: { width: number; height: number; fps: number } | undefined;
  private sound: { sampleRate: number; channels: number } | undefined;
  private readonly frameTiling: StreamTiling;
  private readonly audioTiling: StreamTiling;
  /** The writes of the latest item, still going through; the next write or finish awaits them. */
  private pending: Promise<void> = Promise.resolve();
  private silenceSamples = 0;

  constructor(
    path: string,
    private readonly o: Mp4SinkOptions,
    private readonly ctx: StageCreateContext,
  ) {
    super(path);
    this.frameTiling = new StreamTiling(`frames for ${path}`, 'frame');
    this.audioTiling = new StreamTiling(`audio for ${path}`, 'sample');
  }

  async write(item: StageItem): Promise<void> {
    this.checkOpen();
    const frames = item.video('frames');
    const audio = item.has('audio') ? item.audio('audio') : undefined;
    const opening = this.open(frames, audio);
    this.checkFormats(frames, audio);
    this.frameTiling.accept(frames.chunk.index, frames.startFrame, frames.frameCount);
    const pcm = this.soundFor(frames, audio);
    const writer = await opening;
    // Both pipes at once, each in item order; a write resolves only when ffmpeg took it.
    const written = Promise.all([writer.writeFrames(frames.data), pcm && writer.writeAudio(pcm)]).then(() => undefined);
    // Observed by the next write or by finish; until then a failure must not count as unhandled.
    written.catch(() => undefined);
    const previous = this.pending;
    this.pending = written;
    await previous;
  }

  /** The first item fixes the file's formats: with a soundtrack if it brought audio. */
  private open(frames: VideoPacket, audio: AudioPacket | undefined): Promise<Mp4Writer> {
    if (!this.writer) {
      this.video = { width: frames.width, height: frames.height, fps: frames.fps };
      this.sound = audio && { sampleRate: audio.sampleRate, channels: audio.channels };
      this.writer = openMp4Writer(this.path, {
        ...this.video,
        audio: this.sound,
        crf: this.o.crf,
        preset: this.o.preset,
        audioBitrateKbps: this.o.audioBitrateKbps,
        signal: this.ctx.signal,
        deferCommit: true,
      });
      // Awaited by every write and by finish/abort; a failure to open is reported through them.
      this.writer.catch(() => undefined);
    }
    return this.writer;
  }

  private checkFormats(frames: VideoPacket, audio: AudioPacket | undefined): void {
    const v = this.video!;
    if (frames.width !== v.width || frames.height !== v.height || frames.fps !== v.fps) {
      throw new MediaError(
        this.path,
        `chunk ${frames.chunk.index} has ${frames.width}×${frames.height} frames at ${frames.fps} frames/s, but the video began ` +
          `with ${v.width}×${v.height} at ${v.fps}; one MP4 holds one video format`,
      );
    }
    if (!audio) return;
    if (!this.sound) {
      throw new MediaError(
        this.path,
        `audio began at chunk ${frames.chunk.index}, but the file was opened without sound at chunk 0`,
      );
    }
    if (audio.sampleRate !== this.sound.sampleRate || audio.channels !== this.sound.channels) {
      throw new MediaError(
        this.path,
        `chunk ${audio.chunk.index} is ${audio.sampleRate} Hz × ${audio.channels} channels, but the soundtrack began at ` +
          `${this.sound.sampleRate} Hz × ${this.sound.channels}`,
      );
    }
  }

  /** The PCM to write with these frames: the item's audio, or silence once the audio has ended. */
  private soundFor(frames: VideoPacket, audio: AudioPacket | undefined): Float32Array | undefined {
    const s = this.sound;
    if (!s) return undefined;
    if (audio) {
      this.audioTiling.accept(audio.chunk.index, audio.startSample, audio.data.length / audio.channels);
      return audio.data;
    }
    // Enough silence to bring the soundtrack to the end of these frames.
    const videoEnd = Math.round((this.frameTiling.units / frames.fps) * s.sampleRate);
    const written = this.audioTiling.units + this.silenceSamples;
    const samples = Math.max(0, videoEnd - written);
    this.silenceSamples += samples;
    return samples > 0 ? new Float32Array(samples * s.channels) : undefined;
  }

  async finish(): Promise<void> {
    if (!this.writer || this.frameTiling.units === 0)
      throw new MediaError(this.path, 'no frames arrived: the stream upstream was empty, so there is nothing to write');
    const writer = await this.writer;
    // Every write is on its pipe already (the writer hands data over before returning), so ending
    // the pipes now loses nothing; waiting for the last writes first could wait for ever.
    const [last, finished] = await Promise.allSettled([this.pending, writer.finish()]);
    if (last.status === 'rejected') throw last.reason;
    if (finished.status === 'rejected') throw finished.reason;
    this.markFinished();
    this.reportMismatch();
  }

  private reportMismatch(): void {
    const v = this.video!;
    const s = this.sound;
    if (!s) return;
    const videoSeconds = this.frameTiling.units / v.fps;
    const audioSeconds = this.audioTiling.units / s.sampleRate;
    if (Math.abs(videoSeconds - audioSeconds) > 1 / v.fps) {
      this.ctx.log(
        `${this.path}: soundtrack is ${audioSeconds.toFixed(3)} s but the video ${videoSeconds.toFixed(3)} s` +
          (this.silenceSamples > 0
            ? ` (${(this.silenceSamples / s.sampleRate).toFixed(3)} s of silence added after the audio ended)`
            : ''),
        'warning',
      );
    }
  }
}

export async function createMp4Sink(o: Mp4SinkOptions, ctx: StageCreateContext): Promise<SinkInstance> {
  return sinkInstance(new Mp4Sink(await sinkOutputPath(ctx, o.file, 'mp4'), o, ctx));
}
