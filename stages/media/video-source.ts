/**
 * video-source: decodes the bound file to RGB24 frames at its own fps and size (or the options'),
 * cut into chunks of whole frames on the pipeline grid (see FrameChunker), pulled so that ffmpeg
 * pauses while the runtime takes nothing. Consumers that want the input whole (a face loop) get
 * one packet holding every frame. A still image is a one-frame video: it cannot know how long
 * the clip is, so it sends its one frame as the only chunk (whole or not) and consumers loop it.
 */
import { MediaError } from '../../src/core/errors.ts';
import type { PortPacket, SourceInstance, StageCreateContext } from '../../src/core/stage.ts';
import { decodeVideo, planVideo, probe, shortDecodeNote, type MediaInfo } from '../../src/media/index.ts';
import { FrameChunker } from './frame-chunker.ts';
import { formatBytes, gridChunkSeconds } from './grid.ts';
import type { VideoSourceOptions } from './sources.ts';
import { chunkInfo, pulledSource, requireInputPath, runClipId } from './source-input.ts';
import { machineMemoryBytes } from '../../src/runtime/machine-memory.ts';
import { evenSide, videoMemory, videoMemoryLine, videoMemoryProblem } from './video-memory.ts';

/**
 * Most RGB a stage may take whole, bytes. A whole input is held once, in memory its consumers'
 * workers share; past this a face loop is a full-length video that should be shortened or scaled.
 */
export const WHOLE_VIDEO_MAX_BYTES = 2 * 2 ** 30;

/** Frame rate of a still image's video when no fps is set, frames/s. */
export const STILL_IMAGE_FPS = 25;

// About 4 MiB of frames per decoded block (one 1080p frame, many small ones), at most 25 frames.
const BLOCK_BYTES = 4 * 2 ** 20;

function tooBig(
  file: string,
  input: string,
  video: { frames: number; width: number; height: number; fps: number },
  estimated: boolean,
): MediaError {
  const { frames, width, height, fps } = video;
  const bytes = frames * width * height * 3;
  // What fits: the seconds at this size, or this length at a smaller size.
  const seconds = Math.floor(WHOLE_VIDEO_MAX_BYTES / (width * height * 3) / fps);
  const scale = Math.sqrt(WHOLE_VIDEO_MAX_BYTES / bytes);
  return new MediaError(
    file,
    `${estimated ? 'would decode to' : 'decodes to more than'} ${frames} frames of ${width}×${height} RGB ` +
      `(${formatBytes(bytes)}), but a stage here takes this input whole (a face loop) and at most ` +
      `${formatBytes(WHOLE_VIDEO_MAX_BYTES)} is accepted; ${seconds >= 1 ? `shorten the video (ffmpeg -t ${seconds}) or ` : ''}scale it ` +
      `(--set inputs.${input}.options.width=${evenSide(width, scale)} --set inputs.${input}.options.height=${evenSide(height, scale)})`,
  );
}

/** Frames the decode will give, when the container says (for refusing before decoding). */
function expectedFrames(info: MediaInfo, fps: number): number | undefined {
  const seconds = info.duration ?? info.video?.duration;
  if (seconds !== undefined) return Math.round(seconds * fps);
  return info.video?.frameCount;
}

export async function createVideoSource(o: VideoSourceOptions, ctx: StageCreateContext): Promise<SourceInstance> {
  const file = requireInputPath(ctx);
  const info = await probe(file);
  if (!info.video) throw new MediaError(file, 'has no video stream (audio only); bind a video or an image');
  const fps = o.fps ?? (info.isImage ? STILL_IMAGE_FPS : undefined);
  const plan = planVideo(info, {
    fps,
    width: o.width ?? undefined,
    height: o.height ?? undefined,
    frames: info.isImage ? 1 : undefined,
  });
  const { width, height } = plan;
  const frameBytes = width * height * 3;
  const clipId = runClipId(ctx);
  const blocks = () =>
    decodeVideo(file, {
      fps: plan.fps,
      width,
      height,
      frames: plan.frames,
      framesPerBlock: Math.max(1, Math.min(25, Math.floor(BLOCK_BYTES / frameBytes))),
      signal: ctx.signal,
    });
  const wholeLimit = Math.floor(WHOLE_VIDEO_MAX_BYTES / frameBytes);
  const expected = info.isImage ? 1 : expectedFrames(info, plan.fps);
  if (ctx.wholeInput && !info.isImage && expected !== undefined && expected > wholeLimit)
    throw tooBig(file, ctx.id, { frames: expected, width, height, fps: plan.fps }, true);

  // The frames' memory, before any is decoded: refused past the machine's, else said in one line.
  const memoryInput = {
    width,
    height,
    fps: plan.fps,
    chunkSeconds: ctx.chunking?.seconds ?? 10,
    searchSeconds: ctx.chunking?.silenceSearchSeconds ?? 0,
    wholeFrames: ctx.wholeInput || info.isImage ? (expected ?? 0) : 0,
  };
  const memoryPlan = videoMemory(memoryInput);
  const memory = machineMemoryBytes();
  const problem = videoMemoryProblem(ctx.id, memoryInput, memoryPlan, memory);
  if (problem) throw new MediaError(file, problem);
  ctx.log(videoMemoryLine(ctx.id, memoryInput, memoryPlan, memory));

  async function* whole(): AsyncGenerator<PortPacket> {
    const parts: Uint8Array[] = [];
    let frames = 0;
    for await (const block of blocks()) {
      frames += block.frameCount;
      if (frames > wholeLimit) throw tooBig(file, ctx.id, { frames: wholeLimit, width, height, fps: plan.fps }, false);
      parts.push(block.data);
    }
    if (frames === 0) throw new MediaError(file, 'decoded to no video frames');
    const note = info.isImage
      ? undefined
      : shortDecodeNote(file, frames / plan.fps, info.video?.duration ?? info.duration);
    if (note) ctx.log(note, 'warning');
    // Shared memory: every consumer (face-detect and Wav2Lip, each in its worker) reads the same
    // frames, where an ArrayBuffer would be copied for all but one of them. Nothing writes to them.
    const data = new Uint8Array(new SharedArrayBuffer(frames * frameBytes));
    let at = 0;
    for (const part of parts.splice(0)) {
      data.set(part, at);
      at += part.byteLength;
    }
    const chunk = chunkInfo(clipId, 0, 0, frames / plan.fps, true);
    yield {
      port: 'frames',
      packet: { kind: 'video', chunk, width, height, fps: plan.fps, startFrame: 0, frameCount: frames, data },
    };
  }

  async function* chunked(): AsyncGenerator<PortPacket> {
    const g = ctx.granularitySeconds ?? 0;
    let seconds = gridChunkSeconds(ctx.chunking?.seconds ?? 10, g);
    // A chunk must own at least one frame: widen the grid step to cover a frame period.
    if (seconds * plan.fps < 1) seconds = gridChunkSeconds(1 / plan.fps, g);
    const chunker = new FrameChunker({ clipId, width, height, fps: plan.fps, chunkSeconds: seconds });
    for await (const block of blocks()) {
      for (const packet of chunker.push(block.data)) yield { port: 'frames', packet };
    }
    const rest = chunker.end();
    if (chunker.framesReceived === 0) throw new MediaError(file, 'decoded to no video frames');
    const note = shortDecodeNote(file, chunker.framesReceived / plan.fps, info.video?.duration ?? info.duration);
    if (note) ctx.log(note, 'warning');
    for (const packet of rest) yield { port: 'frames', packet };
  }

  const seconds = info.isImage ? undefined : (info.video?.duration ?? info.duration);
  return { ...pulledSource(ctx.wholeInput || info.isImage ? whole : chunked), seconds };
}
