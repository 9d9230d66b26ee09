/**
 * mp4-sink: muxes the frames (H.264) and the optional soundtrack (AAC) of each joined item
 * {frames k, audio k} into `<out>/<file>`, at the frames' fps and size and the audio's own rate.
 *
 * ffmpeg reads its two input pipes in step, by timestamp: a write of frames blocks until the
 * audio up to about the same time has been written, and the other way round. So both writes of
 * an item are issued at once (each pipe keeps its chunks in order), and an item is acknowledged
 * once both went through — with `lookahead: 1` the runtime hands
 * over item k+1 meanwhile, which is what lets ffmpeg finish item k when the two streams' chunk
 * boundaries differ (audio cut at a silence, frames on the grid). The end of the input ends both
 * pipes at once, so a longer tail on one stream cannot hold the other.
 *
 * Where the soundtrack runs out before the frames (an item with no audio), silence is written for
 * those frames: ffmpeg would otherwise wait for audio for ever. The file's length follows the
 * frames; a soundtrack that differs from them by more than a frame is reported once in the log.
 */
import { endWith, finalize, from, ignoreElements, mergeMap, type Observable, EMPTY } from 'rxjs';
import { MediaError } from '../../src/core/errors.ts';
import type { PortPacket, StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { AudioPacket, VideoPacket } from '../../src/core/types.ts';
import { openMp4Writer, type Mp4Writer } from '../../src/media/index.ts';
import { SinkOutput, sinkOutputPath, StreamTiling } from './sink-output.ts';

export interface Mp4SinkOptions {
  file: string | null;
  crf: number;
  preset: string;
  audioBitrateKbps: number;
}

/** The packets of one item (one chunk index), gathered from the runtime's synchronous burst. */
interface Item {
  index: number;
  frames?: VideoPacket;
  audio?: AudioPacket;
}

const END = Symbol('end');

class Mp4Sink extends SinkOutput<Mp4Writer> {
  private video: { width: number; height: number; fps: number } | undefined;
  private sound: { sampleRate: number; channels: number } | undefined;
  private readonly frameTiling: StreamTiling;
  private readonly audioTiling: StreamTiling;
  private gathering: Item | undefined;
  /** Resolves once the last item's writes are queued (finish must come after them). */
  private queued: Promise<void> = Promise.resolve();
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

  /** Takes one packet; the first packet of an item returns the item's acknowledgement. */
  accept({ port, packet }: PortPacket): Observable<PortPacket> {
    const index = packet.chunk.index;
    const fresh = !this.gathering || this.gathering.index !== index;
    if (fresh) this.gathering = { index };
    const item = this.gathering!;
    if (port === 'frames' && packet.kind === 'video') item.frames = packet;
    else if (port === 'audio' && packet.kind === 'audio') item.audio = packet;
    else throw new Error(`port "${port}" got a ${packet.kind} packet; mp4-sink takes frames (video) and audio`);
    return fresh ? from(this.write(item)) : EMPTY;
  }

  private async write(item: Item): Promise<PortPacket> {
    // The runtime pushes all packets of an item in one synchronous burst: once the previous
    // item's writes are issued (a microtask at least), this item is complete.
    let markQueued!: () => void;
    const previous = this.queued;
    this.queued = new Promise((resolve) => (markQueued = resolve));
    try {
      await previous;
      if (this.gathering === item) this.gathering = undefined;
      const { frames, audio } = item;
      if (!frames) throw new Error(`chunk ${item.index} has audio but no frames`);
      const writer = this.open(frames, audio);
      this.checkFormats(frames, audio);
      this.frameTiling.accept(frames.chunk.index, frames.startFrame, frames.frameCount);
      const pcm = this.soundFor(frames, audio);
      // Issued at once, in item order, on each pipe: the pipes keep the order, and a write
      // resolves only when ffmpeg has taken it (the back-pressure).
      const videoDone = writer.then((w) => w.writeFrames(frames.data));
      const audioDone = pcm && writer.then((w) => w.writeAudio(pcm));
      markQueued();
      await Promise.all([videoDone, audioDone]);
      return { port: 'frames', packet: frames };
    } finally {
      markQueued();
    }
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
      // Awaited by every write; a failure to open is reported through them.
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
      throw new MediaError(this.path, `audio began at chunk ${frames.chunk.index}, but the file was opened without sound at chunk 0`);
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
    await this.queued;
    // Writes issued above reach their pipe after a few microtasks; end the pipes only after them.
    await new Promise((resolve) => setImmediate(resolve));
    if (!this.writer) throw new MediaError(this.path, 'no frames arrived: the stream upstream was empty, so there is nothing to write');
    await (await this.writer).finish();
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
          (this.silenceSamples > 0 ? ` (${(this.silenceSamples / s.sampleRate).toFixed(3)} s of silence added after the audio ended)` : ''),
      );
    }
  }

}

export async function createMp4Sink(o: Mp4SinkOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const sink = new Mp4Sink(await sinkOutputPath(ctx, o.file, 'mp4'), o, ctx);
  return {
    operator: (input) =>
      input.pipe(
        endWith(END),
        // Finishing starts as soon as the input ends, while the last writes may still be pending.
        mergeMap((x) => (x === END ? from(sink.finish()).pipe(ignoreElements()) : sink.accept(x))),
        // Torn down before finishing (failure, cancel): drop the partial file. A finished one waits
        // for the run's commit, or for dispose to drop it.
        finalize(() => void sink.abortIfOpen()),
      ),
    files: () => sink.files(),
    commit: () => sink.commit(),
    dispose: () => sink.abort(),
  };
}
