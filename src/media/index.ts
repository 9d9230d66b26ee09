/** reel's media I/O: ffmpeg/ffprobe binaries, probing, pulled decoders, atomic encoders. */
export {
  resolveFfmpeg,
  mediaToolVersions,
  type MediaToolPaths,
  type MediaToolVersions,
  type ToolVersion,
} from './binaries.ts';
export { probe, type MediaInfo, type AudioStreamInfo, type VideoStreamInfo } from './probe.ts';
export { truncatedWavError, wavTruncation, type WavTruncation } from './wav-truncation.ts';
export { shortDecodeNote } from './short-decode.ts';
export { firstInvalidUtf8, readTextInput } from './text-input.ts';
export type { BlockStream } from './pullBlocks.ts';
export { decodeAudio, type DecodeAudioOptions } from './decodeAudio.ts';
export {
  decodeVideo,
  planVideo,
  type DecodeVideoOptions,
  type VideoFrameBlock,
  type VideoPlan,
} from './decodeVideo.ts';
export { openWavWriter, writeWav, type WavWriter, type WavWriterOptions } from './wavWriter.ts';
export { openMp4Writer, writeMp4, type Mp4Writer, type Mp4WriterOptions } from './mp4Writer.ts';
export { atomicOutput, type AtomicOutput } from './atomicOutput.ts';
