/**
 * video-source: decodes the bound file to RGB24 frames at its own fps and size (or the options'),
 * cut into chunks of whole frames on the pipeline grid (see FrameChunker), pulled so that ffmpeg
 * pauses while the runtime takes nothing. Consumers that want the input whole get one packet
 * holding every frame. Consumers that loop it (a face under the speech, PortSpec.loop) get it
 * looped on the grid without end (video-loop.ts): held whole when short (a still image always),
 * decoded again at each pass when long. Otherwise a still image is sent as its one frame.
 */
import { MediaError, UsageError } from '../../src/core/errors.ts';
import type { PortPacket, SourceInstance, StageCreateContext } from '../../src/core/stage.ts';
import { decodeVideo, planVideo, probe, shortDecodeNote, type MediaInfo } from '../../src/media/index.ts';
import { FrameChunker } from './frame-chunker.ts';
import { formatBytes, gridChunkSeconds } from './grid.ts';
import type { VideoSourceOptions } from './sources.ts';
import { chunkInfo, pulledSource, requireInputPath, runClipId } from './source-input.ts';
import { machineMemoryBytes } from '../../src/runtime/machine-memory.ts';
import { evenSide, videoMemory, videoMemoryLine, videoMemoryProblem } from './video-memory.ts';
import { heldLoopChunks, streamedLoopChunks } from './video-loop.ts';

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

  // A looped input is held whole when short (by its RGB size), else decoded again at each pass.
  const loop = ctx.loopInput === true && !ctx.wholeInput;
  const holdMax = o.loopHoldMiB * 2 ** 20;
  const holdLoop = loop && expected !== undefined && expected * frameBytes <= holdMax;
  const held = ctx.wholeInput || info.isImage || holdLoop;
  if (loop && !held && o.loop === 'pingpong')
    throw new UsageError(
      `${file}: is played back and forth (loop: pingpong), which needs it held whole, but its RGB passes loopHoldMiB ${o.loopHoldMiB}; ` +
        `raise it (--set inputs.${ctx.id}.options.loopHoldMiB=${Math.ceil(((expected ?? 0) * frameBytes) / 2 ** 20)}) or use loop: repeat`,
    );

  // The frames' memory, before any is decoded: refused past the machine's, else said in one line.
  const memoryInput = {
    width,
    height,
    fps: plan.fps,
    chunkSeconds: ctx.chunking?.seconds ?? 10,
    searchSeconds: ctx.chunking?.silenceSearchSeconds ?? 0,
    wholeFrames: held ? (expected ?? 0) : 0,
    streamedLoop: loop && !held,
  };
  const memoryPlan = videoMemory(memoryInput);
  const memory = machineMemoryBytes();
  const problem = videoMemoryProblem(ctx.id, memoryInput, memoryPlan, memory);
  if (problem) throw new MediaError(file, problem);
  ctx.log(videoMemoryLine(ctx.id, memoryInput, memoryPlan, memory));
  if (loop) {
    const how = held
      ? `held whole (${formatBytes((expected ?? 0) * frameBytes)} of RGB; loopHoldMiB ${o.loopHoldMiB})${o.loop === 'pingpong' ? ', played back and forth' : ''}`
      : `decoded again at each pass (its RGB is more than loopHoldMiB ${o.loopHoldMiB})`;
    ctx.log(`${ctx.id}: looped under the other inputs, cut where they end: ${how}`);
  }

  /** Every frame in one shared buffer: every consumer (each in its worker) reads the same frames. */
  async function decodeHeld(): Promise<{ data: Uint8Array; frames: number }> {
    const parts: Uint8Array[] = [];
    let frames = 0;
    for await (const block of blocks()) {
      frames += block.frameCount;
      if (frames > wholeLimit) throw tooBig(file, ctx.id, { frames: wholeLimit, width, height, fps: plan.fps }, false);
      parts.push(block.data);
    }
    if (frames === 0) throw new MediaError(file, 'decoded to no video frames');
    if (!info.isImage) noteShort(frames);
    // Shared memory: every consumer (face-detect and Wav2Lip, each in its worker) reads the same
    // frames, where an ArrayBuffer would be copied for all but one of them. Nothing writes to them.
    const data = new Uint8Array(new SharedArrayBuffer(frames * frameBytes));
    let at = 0;
    for (const part of parts.splice(0)) {
      data.set(part, at);
      at += part.byteLength;
    }
    return { data, frames };
  }

  const grid = () => {
    const g = ctx.granularitySeconds ?? 0;
    let seconds = gridChunkSeconds(ctx.chunking?.seconds ?? 10, g);
    // A chunk must own at least one frame: widen the grid step to cover a frame period.
    if (seconds * plan.fps < 1) seconds = gridChunkSeconds(1 / plan.fps, g);
    return { clipId, width, height, fps: plan.fps, chunkSeconds: seconds };
  };
  const noteShort = (frames: number) => {
    const note = shortDecodeNote(file, frames / plan.fps, info.video?.duration ?? info.duration);
    if (note) ctx.log(note, 'warning');
  };

  async function* looped(): AsyncGenerator<PortPacket> {
    if (held) {
      const { data, frames } = await decodeHeld();
      yield* heldLoopChunks(grid(), data, frames, o.loop);
    } else {
      yield* streamedLoopChunks(file, grid(), blocks, noteShort);
    }
  }

  async function* whole(): AsyncGenerator<PortPacket> {
    const { data, frames } = await decodeHeld();
    const chunk = chunkInfo(clipId, 0, 0, frames / plan.fps, true);
    yield {
      port: 'frames',
      packet: { kind: 'video', chunk, width, height, fps: plan.fps, startFrame: 0, frameCount: frames, data },
    };
  }

  async function* chunked(): AsyncGenerator<PortPacket> {
    const chunker = new FrameChunker(grid());
    for await (const block of blocks()) {
      for (const packet of chunker.push(block.data)) yield { port: 'frames', packet };
    }
    const rest = chunker.end();
    if (chunker.framesReceived === 0) throw new MediaError(file, 'decoded to no video frames');
    noteShort(chunker.framesReceived);
    for (const packet of rest) yield { port: 'frames', packet };
  }

  const seconds = info.isImage || loop ? undefined : (info.video?.duration ?? info.duration);
  const produce = loop ? looped : ctx.wholeInput || info.isImage ? whole : chunked;
  return { ...pulledSource(produce), seconds, format: `${width}×${height} at ${plan.fps} fps` };
}
