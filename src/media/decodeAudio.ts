/**
 * Streaming audio decode: any file ffmpeg reads (audio, or the first audio stream of a video) to
 * interleaved Float32 PCM at the asked rate and channel count, in fixed-size blocks, pulled.
 */
import { MediaError } from '../core/errors.ts';
import { describeNonFinite, firstNonFinite } from '../core/finite.ts';
import { FFMPEG_QUIET } from './ffmpegProcess.ts';
import { checkInputFile, ffmpegUrl } from './mediaPath.ts';
import { blockStream, type BlockStream } from './pullBlocks.ts';

export interface DecodeAudioOptions {
  /** Output rate, Hz (ffmpeg resamples). Probe the file first to keep its own rate. */
  sampleRate: number;
  /** Output channels (ffmpeg down/up-mixes). */
  channels: number;
  /** Samples per channel in each block; the last block may be shorter. Default 16384. */
  blockSamples?: number;
  /** Aborting kills ffmpeg; the iteration then throws CancelledError. */
  signal?: AbortSignal;
}

function checkInt(file: string, name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new MediaError(file, `${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/**
 * Decodes `file` to interleaved Float32 PCM blocks of `blockSamples × channels` values (the host
 * is little-endian, as f32le is). Throws MediaError — on the first pull, or at the end for a
 * truncated file — naming the file and ffmpeg's reason.
 */
export function decodeAudio(file: string, options: DecodeAudioOptions): BlockStream<Float32Array> {
  const { sampleRate, channels, blockSamples = 16384, signal } = options;
  checkInt(file, 'sampleRate', sampleRate, 1000, 768000);
  checkInt(file, 'channels', channels, 1, 32);
  checkInt(file, 'blockSamples', blockSamples, 1, 1 << 24);
  return blockStream({
    file,
    wanted: 'audio',
    signal,
    prepare: async () => {
      await checkInputFile(file);
      const url = ffmpegUrl(file);
      const args = [
        ...FFMPEG_QUIET,
        '-i',
        url,
        '-map',
        '0:a:0',
        '-vn',
        '-sn',
        '-dn',
        '-ac',
        String(channels),
        '-ar',
        String(sampleRate),
        '-c:a',
        'pcm_f32le',
        '-f',
        'f32le',
        'pipe:1',
      ];
      return { args, urls: [url], blockBytes: blockSamples * channels * 4 };
    },
    toBlock: (bytes, index) => {
      const block = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
      const bad = firstNonFinite(block);
      if (bad >= 0) {
        const seconds = (index * blockSamples + Math.floor(bad / channels)) / sampleRate;
        throw new MediaError(
          file,
          `holds a ${describeNonFinite(block[bad]!)} sample at ${seconds.toFixed(3)} s — the recording is damaged there; cut that span out or export it again (reel refuses it rather than render silence)`,
        );
      }
      return block;
    },
  });
}
