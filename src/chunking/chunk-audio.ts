/**
 * Audio chunker: re-blocks decoded PCM (Float32Array blocks of any size, e.g. straight from an
 * ffmpeg f32le pipe) into AudioPackets, one per chunk, cut on the grid or at silence. An async
 * generator: it pulls the source only as fast as its consumer pulls chunks.
 */
import { InputError } from '../core/errors.ts';
import type { AudioPacket } from '../core/types.ts';
import type { CutRule } from './cut-rule.ts';
import type { ChunkGeometry } from './geometry.ts';
import { Rechunker, type ChunkSlice } from './rechunker.ts';

export interface ChunkAudioOptions {
  /** Geometry in sample frames at `sampleRate`. */
  geometry: ChunkGeometry;
  clipId: string;
  /** Hz; also converts chunk ranges to the seconds of ChunkInfo. */
  sampleRate: number;
  /** Interleaved channels per sample frame; blocks must hold whole frames. */
  channels: number;
  /** How each grid boundary moves within the search. @defaultValue the quietest point (RVC) */
  cutRule?: CutRule;
  /**
   * Chunks in shared memory: every consumer's worker, and every item that takes the chunk as a
   * neighbour, reads the same samples instead of a copy each (voice-convert posts a chunk six
   * times: the content encoder's and the converter's items k − 1, k and k + 1). @defaultValue false
   */
  shared?: boolean;
}

/** The packet of one chunk: `startSample` is the chunk's first sample frame. */
export function audioPacketFromChunk(chunk: ChunkSlice, options: ChunkAudioOptions): AudioPacket {
  const { plan, data } = chunk;
  return {
    kind: 'audio',
    chunk: {
      clipId: options.clipId,
      index: plan.index,
      start: plan.start / options.sampleRate,
      end: plan.end / options.sampleRate,
      last: plan.last,
    },
    sampleRate: options.sampleRate,
    channels: options.channels,
    startSample: plan.start,
    data,
  };
}

/**
 * Chunks of a PCM stream, in order; the final one has `chunk.last`. Holds at most one chunk, the
 * silence lookahead and one block. An empty stream yields no chunk.
 */
export async function* chunkAudioStream(
  blocks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
  options: ChunkAudioOptions,
): AsyncGenerator<AudioPacket> {
  const rechunker = new Rechunker(options.geometry, options.channels, options.cutRule, options.shared);
  // A rule that runs a model decides a cut in `prepare`; the chunker then goes on where it stopped.
  const settled = async (slices: ChunkSlice[]): Promise<ChunkSlice[]> => {
    while (await rechunker.rule.prepare?.()) slices.push(...rechunker.resume());
    return slices;
  };
  for await (const block of blocks) {
    if (block.length % options.channels !== 0) {
      throw new InputError(
        `clip "${options.clipId}": a block of ${block.length} samples is not a whole number of ${options.channels}-channel frames`,
      );
    }
    for (const c of await settled(rechunker.push(block))) yield audioPacketFromChunk(c, options);
  }
  for (const c of await settled(rechunker.end())) yield audioPacketFromChunk(c, options);
}
