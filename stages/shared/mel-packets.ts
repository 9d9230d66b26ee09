/**
 * Mel chunks on edges (`tensor:mel`, [1, 80, T] band-major at 22050/256 frames/s): chunk k holds
 * mel frames [round(start·fps), round(end·fps)) of the clip (the fastpitch stage's grid; `meta`
 * repeats the first frame), and a stage with a receptive field joins neighbours' frames to it.
 */
import { InputError } from '../../src/core/errors.ts';
import type { ChunkView } from '../../src/core/item.ts';
import type { ChunkInfo, TensorPacket } from '../../src/core/types.ts';
import type { Mel } from '../fastpitch/runner.ts';

export const MEL_BANDS = 80;
export const MEL_RATE = 22050;
export const MEL_HOP = 256;
export const MEL_FPS = MEL_RATE / MEL_HOP;

/** The mel frames a chunk owns. */
export function melFramesOf(chunk: Pick<ChunkInfo, 'start' | 'end'>): { first: number; end: number } {
  return { first: Math.round(chunk.start * MEL_FPS), end: Math.round(chunk.end * MEL_FPS) };
}

export function melPacket(chunk: ChunkInfo, mel: Mel, startFrame: number): TensorPacket {
  return {
    kind: 'tensor',
    chunk,
    name: 'mel',
    tensor: { dtype: 'float32', dims: [1, MEL_BANDS, mel.frames], data: mel.data },
    meta: { framesPerSecond: MEL_FPS, hop: MEL_HOP, sampleRate: MEL_RATE, startFrame },
  };
}

/** The mel of a chunk's `port` (an item or one of its neighbours) and its first clip frame. */
export function melOf(view: ChunkView, port: string): Mel & { startFrame: number } {
  const p = view.tensor(port, { dtype: 'float32', rank: 3 });
  if (p.tensor.dims[1] !== MEL_BANDS) {
    throw new InputError(
      `input "${port}" of chunk ${view.chunk.index} must be a [1, ${MEL_BANDS}, T] mel; got [${p.tensor.dims.join(', ')}]`,
    );
  }
  const startFrame = typeof p.meta?.startFrame === 'number' ? p.meta.startFrame : melFramesOf(view.chunk).first;
  return { data: p.tensor.data as Float32Array, frames: p.tensor.dims[2], startFrame };
}

/** Frames [from, to) of a band-major mel (clamped to it). */
export function melSlice(mel: Mel, from: number, to: number): Mel {
  from = Math.max(0, from);
  to = Math.min(mel.frames, to);
  const frames = Math.max(0, to - from);
  const data = new Float32Array(MEL_BANDS * frames);
  for (let b = 0; b < MEL_BANDS; b++)
    data.set(mel.data.subarray(b * mel.frames + from, b * mel.frames + from + frames), b * frames);
  return { data, frames };
}
