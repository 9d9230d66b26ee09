/**
 * Audio chunker: re-blocks decoded PCM (Float32Array blocks of any size, e.g. straight from an
 * ffmpeg f32le pipe) into AudioPackets, each a fixed-shape window with its context, cut on the
 * grid or at silence. Two forms over one core (`Rechunker`): an async generator, which pulls the
 * source only as fast as its consumer pulls chunks (back-pressure for free), and an RxJS operator.
 */
import { concat, defer, mergeMap, type OperatorFunction } from 'rxjs';
import { StageError } from '../core/errors.ts';
import type { AudioPacket } from '../core/types.ts';
import type { ChunkGeometry } from './geometry.ts';
import { Rechunker, type ChunkWindow } from './rechunker.ts';

export interface ChunkAudioOptions {
  /** Geometry in sample frames at `sampleRate` (see `chunkGeometryFromSpec`). */
  geometry: ChunkGeometry;
  clipId: string;
  /** Hz; also converts owned ranges to the seconds of ChunkInfo. */
  sampleRate: number;
  /** Interleaved channels per sample frame; blocks must hold whole frames. */
  channels: number;
  /** Names the stage in error messages. @defaultValue 'chunker' */
  stage?: string;
}

/** The packet for one window: `startSample` is the window start, context counts in sample frames. */
export function audioPacketFromWindow(window: ChunkWindow, options: ChunkAudioOptions): AudioPacket {
  const { plan, data } = window;
  return {
    kind: 'audio',
    chunk: {
      clipId: options.clipId,
      index: plan.index,
      start: plan.ownedStart / options.sampleRate,
      end: plan.ownedEnd / options.sampleRate,
      contextBefore: plan.contextBefore,
      contextAfter: plan.contextAfter,
      last: plan.last,
    },
    sampleRate: options.sampleRate,
    channels: options.channels,
    startSample: plan.windowStart,
    data,
  };
}

function pushChecked(rechunker: Rechunker, block: Float32Array, options: ChunkAudioOptions): ChunkWindow[] {
  if (block.length % options.channels !== 0) {
    throw new StageError(
      { stage: options.stage ?? 'chunker' },
      `clip "${options.clipId}": a block of ${block.length} samples is not a whole number of ${options.channels}-channel frames`,
    );
  }
  return rechunker.push(block);
}

/**
 * Chunks of a PCM stream, in order; the final one has `chunk.last`. Holds at most one window, the
 * silence lookahead and one block. An empty stream yields no chunk.
 */
export async function* chunkAudioStream(
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: ChunkAudioOptions,
): AsyncGenerator<AudioPacket> {
  const rechunker = new Rechunker(options.geometry, options.channels);
  for await (const block of blocks) {
    for (const w of pushChecked(rechunker, block, options)) yield audioPacketFromWindow(w, options);
  }
  for (const w of rechunker.end()) yield audioPacketFromWindow(w, options);
}

/** The same as an RxJS operator: PCM blocks in, chunk packets out, the rest flushed on complete. */
export function chunkAudio(options: ChunkAudioOptions): OperatorFunction<Float32Array, AudioPacket> {
  return (blocks) =>
    defer(() => {
      const rechunker = new Rechunker(options.geometry, options.channels);
      const toPackets = (windows: ChunkWindow[]) => windows.map((w) => audioPacketFromWindow(w, options));
      return concat(
        blocks.pipe(mergeMap((block) => toPackets(pushChecked(rechunker, block, options)))),
        defer(() => toPackets(rechunker.end())),
      );
    });
}
