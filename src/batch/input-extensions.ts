/**
 * Which file extensions count as media of each input type. Only used where a file is bound by its
 * extension alone — loose files of a single-input pipeline (`talk 1.wav` → job `talk 1`) — so that
 * a README or a `.json` beside the clips is not taken for a sample. Files bound by name
 * (`voice.wav`, `alice.voice.wav`) are taken whatever their extension: the run probes them.
 */
import type { PipelineInputSpec } from './sample-types.ts';

const AUDIO = ['wav', 'mp3', 'flac', 'ogg', 'oga', 'opus', 'm4a', 'aac', 'wma', 'aif', 'aiff'];
const VIDEO = ['mp4', 'mov', 'mkv', 'webm', 'avi', 'm4v', 'mpg', 'mpeg', 'ts', 'mts', 'wmv', 'flv'];
const IMAGE = ['png', 'jpg', 'jpeg', 'webp', 'bmp', 'tif', 'tiff', 'gif'];
const TEXT = ['txt'];

/**
 * Extensions (lower case, no dot) a loose file may have to be taken for an input of this type. An
 * audio input also takes video containers: the audio source decodes their sound track.
 */
export const MEDIA_EXTENSIONS: Readonly<Record<PipelineInputSpec['type'], ReadonlySet<string>>> = {
  audio: new Set([...AUDIO, ...VIDEO]),
  video: new Set(VIDEO),
  image: new Set(IMAGE),
  text: new Set(TEXT),
};

/** The extension a message suggests for an input of this type (`voice.wav`, `face.mp4`). */
export const EXAMPLE_EXTENSION: Readonly<Record<PipelineInputSpec['type'], string>> = {
  audio: 'wav',
  video: 'mp4',
  image: 'png',
  text: 'txt',
};

/** `name.ext` split at the last dot; a name with no dot (or only a leading one) has no extension. */
export function splitExtension(fileName: string): { stem: string; ext: string } {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return { stem: fileName, ext: '' };
  return { stem: fileName.slice(0, dot), ext: fileName.slice(dot + 1) };
}
