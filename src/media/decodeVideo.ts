/**
 * Streaming video decode to packed RGB24 frames at a fixed fps and size, pulled in blocks of
 * frames. A still image becomes a still video: the same picture repeated for as many frames as
 * the caller asks for (`frames`, or `seconds` × fps).
 */
import { MediaError } from '../core/errors.ts';
import { FFMPEG_QUIET } from './ffmpegProcess.ts';
import { ffmpegUrl } from './mediaPath.ts';
import { probe, type MediaInfo } from './probe.ts';
import { blockStream, type BlockStream } from './pullBlocks.ts';

export interface DecodeVideoOptions {
  /** Output frame rate, frames/s (frames are dropped or repeated); default the file's rate. */
  fps?: number;
  /** Output size, pixels. One alone keeps the aspect ratio; neither keeps the file's size. */
  width?: number;
  height?: number;
  /** Stop after this many frames. Required (or `seconds`) for a still image. */
  frames?: number;
  /** Stop after this many seconds (× fps frames, rounded); `frames` wins when both are set. */
  seconds?: number;
  /** Frames per block; the last block may hold fewer. Default 1. */
  framesPerBlock?: number;
  /** Aborting kills ffmpeg; the iteration then throws CancelledError. */
  signal?: AbortSignal;
}

export interface VideoFrameBlock {
  width: number;
  height: number;
  fps: number;
  /** Index of the block's first frame in the decoded sequence. */
  startFrame: number;
  frameCount: number;
  /** `frameCount` frames of packed RGB24, row-major. */
  data: Uint8Array;
}

/** The output geometry and frame limit a decode will use, worked out from the probe. */
export interface VideoPlan {
  width: number;
  height: number;
  fps: number;
  frames?: number;
  isImage: boolean;
}

function positive(file: string, name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  if (!(value > 0) || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new MediaError(file, `${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`);
  }
}

export function planVideo(info: MediaInfo, options: DecodeVideoOptions): VideoPlan {
  const file = info.file;
  const src = info.video;
  if (!src) throw new MediaError(file, 'has no video stream');
  const fps = options.fps ?? (info.isImage ? undefined : src.fps);
  if (!fps)
    throw new MediaError(
      file,
      info.isImage ? 'is a still image: give an fps for its video' : 'has no frame rate: give an fps',
    );
  const aspect = src.width / src.height;
  const width = options.width ?? (options.height ? Math.max(1, Math.round(options.height * aspect)) : src.width);
  const height = options.height ?? (options.width ? Math.max(1, Math.round(options.width / aspect)) : src.height);
  const frames = options.frames ?? (options.seconds === undefined ? undefined : Math.round(options.seconds * fps));
  if (info.isImage && frames === undefined) {
    throw new MediaError(file, 'is a still image: ask for a number of frames (or seconds) of video');
  }
  return { width, height, fps, frames, isImage: info.isImage };
}

/** ffmpeg's rate syntax; a decimal like 29.97 is taken as is. */
function rateArg(fps: number): string {
  return Number.isInteger(fps) ? String(fps) : fps.toFixed(6);
}

/** Decodes `file` to RGB24 frame blocks. Throws MediaError naming the file and ffmpeg's reason. */
export function decodeVideo(file: string, options: DecodeVideoOptions = {}): BlockStream<VideoFrameBlock> {
  const framesPerBlock = options.framesPerBlock ?? 1;
  positive(file, 'fps', options.fps, false);
  positive(file, 'width', options.width, true);
  positive(file, 'height', options.height, true);
  positive(file, 'frames', options.frames, true);
  positive(file, 'seconds', options.seconds, false);
  positive(file, 'framesPerBlock', framesPerBlock, true);
  let plan: VideoPlan | undefined;
  return blockStream({
    file,
    wanted: 'video',
    signal: options.signal,
    prepare: async () => {
      plan = planVideo(await probe(file), options);
      const url = ffmpegUrl(file);
      const { width, height, fps, frames } = plan;
      // An image is looped at the output rate; a video is made constant-rate by the fps filter.
      const input = plan.isImage ? ['-loop', '1', '-framerate', rateArg(fps), '-i', url] : ['-i', url];
      const filter = plan.isImage ? `scale=${width}:${height}` : `fps=${rateArg(fps)},scale=${width}:${height}`;
      const args = [
        ...FFMPEG_QUIET,
        ...input,
        '-map',
        '0:v:0',
        '-an',
        '-sn',
        '-dn',
        '-vf',
        filter,
        ...(frames === undefined ? [] : ['-frames:v', String(frames)]),
        '-pix_fmt',
        'rgb24',
        '-f',
        'rawvideo',
        'pipe:1',
      ];
      return { args, urls: [url], blockBytes: width * height * 3 * framesPerBlock };
    },
    toBlock: (data, index) => {
      const p = plan!;
      return {
        width: p.width,
        height: p.height,
        fps: p.fps,
        startFrame: index * framesPerBlock,
        frameCount: data.byteLength / (p.width * p.height * 3),
        data,
      };
    },
  });
}
