/**
 * Stitchers as RxJS operators: chunk outputs of a stage in, each chunk's exact owned range out
 * (context trimmed, seams crossfaded), so the emitted packets of a clip add up to its length to
 * the sample / frame. Clips are kept apart by `chunk.clipId` (batch mode interleaves them); each
 * clip's chunks must arrive in index order. Output packets carry zero context.
 */
import { defer, map, type OperatorFunction } from 'rxjs';
import { StageError } from '../core/errors.ts';
import type { AudioPacket, ChunkInfo, TensorPacket, VideoPacket } from '../core/types.ts';
import type { SeamFade } from './seam-fade.ts';
import { SeamStitcher, type StitchArray, type StitchPiece } from './seam-stitcher.ts';

export interface StitchOptions {
  /**
   * Crossfade length at each seam, seconds — the `chunking.overlapSeconds` the chunks were planned
   * with. Rounded to the packets' own units; must not exceed the overlap they were planned with.
   * @defaultValue 0 (butt-join: context trimmed, no fade)
   */
  overlapSeconds?: number;
  /** @defaultValue 'raised-cosine' for audio, 'linear' for frames and tensors (see seam-fade.ts). */
  fade?: SeamFade;
  /** Names the stage in error messages. @defaultValue 'stitch' */
  stage?: string;
}

function ownedChunk(chunk: ChunkInfo): ChunkInfo {
  return { ...chunk, contextBefore: 0, contextAfter: 0 };
}

/** Per-clip stitchers, created on a clip's first chunk and forgotten after its last. */
function perClip<A extends StitchArray, P extends { chunk: ChunkInfo }, R>(
  options: StitchOptions,
  defaultFade: SeamFade,
  unitsPerSecond: (packet: P) => number,
  piece: (packet: P) => Omit<StitchPiece<A>, 'index' | 'last' | 'contextBefore' | 'contextAfter'>,
  rebuild: (packet: P, owned: A) => R,
): OperatorFunction<P, R> {
  return (packets) =>
    defer(() => {
      const clips = new Map<string, SeamStitcher<A>>();
      return packets.pipe(
        map((packet) => {
          const { chunk } = packet;
          let stitcher = clips.get(chunk.clipId);
          if (!stitcher) {
            stitcher = new SeamStitcher<A>({
              overlapUnits: Math.round((options.overlapSeconds ?? 0) * unitsPerSecond(packet)),
              fade: options.fade ?? defaultFade,
              stage: options.stage ?? 'stitch',
              clipId: chunk.clipId,
            });
            clips.set(chunk.clipId, stitcher);
          }
          const owned = stitcher.push({
            ...piece(packet),
            index: chunk.index,
            last: chunk.last,
            contextBefore: chunk.contextBefore,
            contextAfter: chunk.contextAfter,
          });
          if (chunk.last) clips.delete(chunk.clipId);
          return rebuild(packet, owned);
        }),
      );
    });
}

/** Interleaved PCM: trims context, crossfades seams; `startSample` becomes the owned start. */
export function stitchAudio(options: StitchOptions = {}): OperatorFunction<AudioPacket, AudioPacket> {
  return perClip<Float32Array, AudioPacket, AudioPacket>(
    options,
    'raised-cosine',
    (p) => p.sampleRate,
    (p) => ({ data: p.data, outer: 1, inner: p.channels }),
    (p, owned) => ({ ...p, chunk: ownedChunk(p.chunk), startSample: p.startSample + p.chunk.contextBefore, data: owned }),
  );
}

/** RGB24 frames: trims context, blends seams linearly (rounded to bytes). */
export function stitchVideo(options: StitchOptions = {}): OperatorFunction<VideoPacket, VideoPacket> {
  return perClip<Uint8Array, VideoPacket, VideoPacket>(
    options,
    'linear',
    (p) => p.fps,
    (p) => ({ data: p.data, outer: 1, inner: p.width * p.height * 3 }),
    (p, owned) => ({
      ...p,
      chunk: ownedChunk(p.chunk),
      startFrame: p.startFrame + p.chunk.contextBefore,
      frameCount: owned.length / (p.width * p.height * 3),
      data: owned,
    }),
  );
}

export interface StitchTensorOptions extends StitchOptions {
  /** The time axis the chunks were cut along; negative counts from the end. @defaultValue -1 */
  axis?: number;
  /** Units of that axis per second (mel frames/s, latent frames/s), to convert `overlapSeconds`. */
  unitsPerSecond: number;
}

/** float32 tensors (mels, latents) chunked along one axis: trims context, blends seams linearly. */
export function stitchTensor(options: StitchTensorOptions): OperatorFunction<TensorPacket, TensorPacket> {
  const axisOf = (p: TensorPacket): number => {
    const rank = p.tensor.dims.length;
    const axis = (options.axis ?? -1) < 0 ? rank + (options.axis ?? -1) : (options.axis ?? -1);
    if (p.tensor.dtype !== 'float32' || axis < 0 || axis >= rank) {
      throw new StageError(
        { stage: options.stage ?? 'stitch', chunkIndex: p.chunk.index },
        `tensor "${p.name}" is ${p.tensor.dtype} [${p.tensor.dims.join(', ')}]; stitching needs float32 with axis ${options.axis ?? -1} in range`,
      );
    }
    return axis;
  };
  const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  return perClip<Float32Array, TensorPacket, TensorPacket>(
    options,
    'linear',
    () => options.unitsPerSecond,
    (p) => {
      const axis = axisOf(p);
      return {
        data: p.tensor.data as Float32Array,
        outer: product(p.tensor.dims.slice(0, axis)),
        inner: product(p.tensor.dims.slice(axis + 1)),
      };
    },
    (p, owned) => {
      const axis = axisOf(p);
      const dims = [...p.tensor.dims];
      dims[axis] = owned.length / (product(dims.slice(0, axis)) * product(dims.slice(axis + 1)));
      return { ...p, chunk: ownedChunk(p.chunk), tensor: { dtype: 'float32', dims, data: owned } };
    },
  );
}
