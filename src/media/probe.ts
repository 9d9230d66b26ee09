/**
 * What a media file holds, from ffprobe's JSON: duration, container, and per stream the facts a
 * source needs (audio rate/channels/codec; video size/fps/frame count/codec). A still image is
 * told apart from a video, since a consumer that wants video repeats it.
 */
import { MediaError } from '../core/errors.ts';
import { FfmpegRun, failed, runError } from './ffmpegProcess.ts';
import { ffmpegReason } from './ffmpegReason.ts';
import { checkInputFile, ffmpegUrl } from './mediaPath.ts';
import { isIsoMedia, mp4Truncation, truncatedMp4Error } from './mp4-truncation.ts';
import { wavTruncation, type WavTruncation } from './wav-truncation.ts';

export interface AudioStreamInfo {
  kind: 'audio';
  index: number;
  codec: string;
  sampleRate: number;
  channels: number;
  /** Seconds; undefined when the container does not say. */
  duration?: number;
}

export interface VideoStreamInfo {
  kind: 'video';
  index: number;
  codec: string;
  width: number;
  height: number;
  /** Frames per second (the stream's average rate, else its base rate). */
  fps: number;
  /** The container's frame count, else duration × fps rounded; undefined when neither is known. */
  frameCount?: number;
  duration?: number;
}

export interface MediaInfo {
  file: string;
  /** ffprobe's container name(s), e.g. `mov,mp4,m4a,3gp,3g2,mj2`, `wav`, `png_pipe`. */
  format: string;
  /** Seconds; undefined for a still image or an unknown length. */
  duration?: number;
  sizeBytes: number;
  /** A single still picture (png, jpeg, bmp, webp, tiff …), not a video. */
  isImage: boolean;
  streams: (AudioStreamInfo | VideoStreamInfo)[];
  /** The first audio / video stream, for convenience. */
  audio?: AudioStreamInfo;
  video?: VideoStreamInfo;
  /** A WAV whose header declares more audio than the file holds (ffprobe reports only what is there). */
  truncated?: WavTruncation;
}

interface RawStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
  disposition?: { attached_pic?: number };
}

interface RawProbe {
  format?: { format_name?: string; duration?: string; size?: string };
  streams?: RawStream[];
}

/** "30000/1001" → 29.97; "0/0" → undefined. */
function rate(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const [num, den] = value.split('/').map(Number);
  const r = den === undefined ? num : num / den;
  return Number.isFinite(r) && r > 0 ? r : undefined;
}

function seconds(value: string | undefined): number | undefined {
  const s = value === undefined ? NaN : Number(value);
  return Number.isFinite(s) && s >= 0 ? s : undefined;
}

// Image demuxers: `image2` (by extension) and the `*_pipe` probes (png_pipe, jpeg_pipe, …).
const IMAGE_FORMAT = /^(image2|[a-z0-9]+_pipe)$/;

function toStream(s: RawStream): AudioStreamInfo | VideoStreamInfo | undefined {
  const duration = seconds(s.duration);
  if (s.codec_type === 'audio') {
    return {
      kind: 'audio',
      index: s.index,
      codec: s.codec_name ?? 'unknown',
      sampleRate: Number(s.sample_rate ?? 0),
      channels: s.channels ?? 0,
      duration,
    };
  }
  // A picture without a size is one ffprobe could not decode (a text file named .png): no stream.
  if (s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0 && (s.height ?? 0) > 0) {
    const fps = rate(s.avg_frame_rate) ?? rate(s.r_frame_rate) ?? 0;
    const counted = s.nb_frames === undefined ? NaN : Number(s.nb_frames);
    const frameCount =
      Number.isFinite(counted) && counted > 0 ? counted : duration && fps ? Math.round(duration * fps) : undefined;
    return {
      kind: 'video',
      index: s.index,
      codec: s.codec_name ?? 'unknown',
      width: s.width ?? 0,
      height: s.height ?? 0,
      fps,
      frameCount,
      duration,
    };
  }
  return undefined;
}

/** Reads a media file's container and streams with ffprobe. Throws MediaError when it cannot. */
export async function probe(file: string): Promise<MediaInfo> {
  const sizeBytes = await checkInputFile(file);
  const url = ffmpegUrl(file);
  const run = new FfmpegRun('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', url]);
  let json = '';
  run.stdout.setEncoding('utf8').on('data', (s: string) => (json += s));
  const exit = await run.done;
  if (failed(run, exit)) throw runError(run, exit, file, { urls: [url] });
  let raw: RawProbe;
  try {
    raw = JSON.parse(json) as RawProbe;
  } catch (err) {
    throw new MediaError(file, 'ffprobe printed no readable description', { cause: err });
  }
  const format = raw.format?.format_name ?? 'unknown';
  const streams = (raw.streams ?? []).map(toStream).filter((s) => s !== undefined);
  if (streams.length === 0) {
    const sizeless = raw.streams?.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
    throw new MediaError(
      file,
      sizeless
        ? `not a picture ffmpeg can read (or it is corrupt): its ${sizeless.codec_name ?? 'video'} stream has no size — check that this is the file you meant`
        : 'not a media file ffmpeg can read: it has no audio or video stream',
      { ffmpegReason: ffmpegReason(run.stderrLines(), [url]) },
    );
  }
  const audio = streams.find((s): s is AudioStreamInfo => s.kind === 'audio');
  const video = streams.find((s): s is VideoStreamInfo => s.kind === 'video');
  const isImage = IMAGE_FORMAT.test(format) && !audio && video !== undefined;
  const truncated = format === 'wav' ? await wavTruncation(file) : undefined;
  // A cut MP4 fails to decode anyway ("partial file"); said here, it is refused before any work.
  const cut = isIsoMedia(format) ? await mp4Truncation(file) : undefined;
  if (cut) throw truncatedMp4Error(file, cut);
  return {
    file,
    format,
    duration: isImage ? undefined : seconds(raw.format?.duration),
    sizeBytes,
    isImage,
    streams,
    audio,
    video,
    ...(truncated ? { truncated } : {}),
  };
}
