/**
 * A face video looped on the pipeline grid, without end: chunk k holds frames
 * [round(k·S·fps), round((k+1)·S·fps)) of the looped stream, frame i of which is frame i mod N of
 * the clip. The runtime stops pulling once the stage that loops it has what it needs (the speech
 * ended), so the stream ends there, cut or looped.
 *
 * `loop: pingpong` plays a held loop back and forth instead, so that it has no jump at the seam.
 * Two ways, by size (the video input's `loopHoldMiB`, said at start): a short clip or a still image is
 * decoded once into shared memory and every chunk points into it (`frameMap`); a longer one is
 * decoded chunk by chunk, again from the start at each pass, so memory stays at a few chunks
 * whatever its length.
 */
import { MediaError } from '../../src/core/errors.ts';
import type { PortPacket } from '../../src/core/stage.ts';
import type { VideoPacket } from '../../src/core/types.ts';
import type { VideoFrameBlock } from '../../src/media/index.ts';
import { FrameChunker, gridFrame } from './frame-chunker.ts';
import { chunkInfo } from './source-input.ts';

export interface LoopGrid {
  clipId: string;
  width: number;
  height: number;
  fps: number;
  /** Chunk length on the grid, seconds. */
  chunkSeconds: number;
}

/** How a loop goes on past its last frame: from the first again, or back and forth. */
export type LoopMode = 'repeat' | 'pingpong';

/** Which held frame frame t of the looped stream shows. */
export function loopedFrame(t: number, frames: number, mode: LoopMode): number {
  if (mode === 'repeat' || frames < 3) return t % frames;
  // 0 1 … N−1 N−2 … 1 0 1 …: the ends are not shown twice in a row.
  const j = t % (2 * frames - 2);
  return j < frames ? j : 2 * frames - 2 - j;
}

/** The frames held once (a shared buffer of `frames` RGB frames), chunked on the grid for ever. */
export async function* heldLoopChunks(
  grid: LoopGrid,
  held: Uint8Array,
  frames: number,
  mode: LoopMode = 'repeat',
): AsyncGenerator<PortPacket> {
  const boundary = (k: number) => gridFrame(k, grid.chunkSeconds, grid.fps);
  for (let k = 0; ; k++) {
    const startFrame = boundary(k);
    const frameCount = Math.max(1, boundary(k + 1) - startFrame);
    const frameMap = new Int32Array(frameCount);
    for (let i = 0; i < frameCount; i++) frameMap[i] = loopedFrame(startFrame + i, frames, mode);
    const packet: VideoPacket = {
      kind: 'video',
      chunk: chunkInfo(grid.clipId, k, k * grid.chunkSeconds, (k + 1) * grid.chunkSeconds, false),
      width: grid.width,
      height: grid.height,
      fps: grid.fps,
      startFrame,
      frameCount,
      data: held,
      frameMap,
    };
    yield { port: 'frames', packet };
  }
}

/**
 * The clip decoded pass after pass (`decode` starts one pass), cut on the grid across the passes'
 * seams, in shared chunks. `onFirstPass` hears the frames of the first pass (for the short-decode note).
 */
export async function* streamedLoopChunks(
  file: string,
  grid: LoopGrid,
  decode: () => AsyncIterable<VideoFrameBlock>,
  onFirstPass: (frames: number) => void,
): AsyncGenerator<PortPacket> {
  const chunker = new FrameChunker({ ...grid, shared: true });
  for (let pass = 0; ; pass++) {
    const before = chunker.framesReceived;
    for await (const block of decode()) {
      for (const packet of chunker.push(block.data)) yield { port: 'frames', packet };
    }
    const frames = chunker.framesReceived - before;
    if (frames === 0) throw new MediaError(file, 'decoded to no video frames');
    if (pass === 0) onFirstPass(frames);
  }
}
