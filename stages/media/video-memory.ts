/**
 * What a video input's frames will hold in memory, known before any frame is decoded: chunks of
 * RGB at its size and fps (the lip-sync stage renders at the face's size, the MP4 writer takes
 * them) and, for an input taken whole (a face loop), the loop itself. Printed at start; a plan
 * past the machine's memory is refused with the settings that bring it within.
 */
import { MEMORY_ENV, MEMORY_SHARE } from '../../src/runtime/machine-memory.ts';
import { formatBytes } from './grid.ts';

/**
 * Video chunks alive at once: the one Wav2Lip renders, its output queue (2), the one the MP4
 * writer encodes and the one it holds for the muxer — five, as measured (README, "Limits").
 */
export const VIDEO_CHUNKS_IN_FLIGHT = 5;

/**
 * A streamed face's own chunks alive at once, in shared memory: Wav2Lip's item and its two
 * neighbours, its input queue, and face-detect's item, neighbours and queue ahead of it.
 */
export const FACE_CHUNKS_IN_FLIGHT = 8;

/** A side scaled by `scale`, rounded down to an even number of pixels (H.264 wants even sides). */
export function evenSide(pixels: number, scale: number): number {
  return Math.max(2, 2 * Math.floor((pixels * scale) / 2));
}

export interface VideoMemoryInput {
  width: number;
  height: number;
  fps: number;
  /** The pipeline's chunk length and how far a cut may move to a pause on each side, seconds. */
  chunkSeconds: number;
  searchSeconds: number;
  /** Frames held whole (a short face loop), 0 when the input streams. */
  wholeFrames: number;
  /** A looped face streamed in chunks: its own chunks are in flight too (FACE_CHUNKS_IN_FLIGHT). */
  streamedLoop?: boolean;
}

export interface VideoMemoryPlan {
  /** Longest chunk, seconds, and the RGB it holds, bytes. */
  chunkSeconds: number;
  chunkBytes: number;
  wholeBytes: number;
  /** Chunks alive at once (output chunks, and a streamed face's own). */
  chunks: number;
  /** Chunks in flight plus the whole input, bytes. */
  totalBytes: number;
}

export function videoMemory(v: VideoMemoryInput): VideoMemoryPlan {
  const frameBytes = v.width * v.height * 3;
  const chunkSeconds = v.chunkSeconds + 2 * v.searchSeconds;
  const chunkBytes = Math.ceil(chunkSeconds * v.fps) * frameBytes;
  const wholeBytes = v.wholeFrames * frameBytes;
  const chunks = VIDEO_CHUNKS_IN_FLIGHT + (v.streamedLoop ? FACE_CHUNKS_IN_FLIGHT : 0);
  return { chunkSeconds, chunkBytes, wholeBytes, chunks, totalBytes: chunks * chunkBytes + wholeBytes };
}

/**
 * The start line: `face: 256×256 at 25 fps: video chunks of ≤ 7 s hold ≤ 33 MiB each, 5 in flight …`.
 * Replicas of the stages that hold frames (Wav2Lip, face-detect) keep more chunks in flight: one
 * more each at most (measured on 16 cores, 720p 5 s chunks: 8 Wav2Lip replicas stayed within the
 * 13 planned; 13 replicas reached 18).
 */
export function videoMemoryLine(name: string, v: VideoMemoryInput, plan: VideoMemoryPlan, memory: number): string {
  const whole = plan.wholeBytes > 0 ? ` + ${formatBytes(plan.wholeBytes)} held whole` : '';
  return (
    `${name}: ${v.width}×${v.height} at ${v.fps} fps: video chunks of ≤ ${plan.chunkSeconds} s hold ≤ ${formatBytes(plan.chunkBytes)} each, ` +
    `${plan.chunks} in flight${whole}: ≤ ${formatBytes(plan.totalBytes)} of frames, and ${formatBytes(plan.chunkBytes)} more ` +
    `for each replica added to a stage that holds them (machine memory ${formatBytes(memory)})`
  );
}

/**
 * Why the plan cannot run on `memory` bytes, with the settings that fit (a shorter chunk, else a
 * smaller picture), or undefined when it fits.
 */
export function videoMemoryProblem(
  name: string,
  v: VideoMemoryInput,
  plan: VideoMemoryPlan,
  memory: number,
): string | undefined {
  const budget = MEMORY_SHARE * memory;
  if (plan.totalBytes <= budget) return undefined;
  const fits = (o: Partial<VideoMemoryInput>) => videoMemory({ ...v, ...o }).totalBytes <= budget;
  const fixes: string[] = [];
  let seconds = Math.floor(v.chunkSeconds);
  while (seconds >= 1 && !fits({ chunkSeconds: seconds })) seconds--;
  if (seconds >= 1) fixes.push(`--set chunking.seconds=${seconds}`);
  // A smaller picture at the same chunking.
  let scale = Math.sqrt(budget / plan.totalBytes);
  while (scale > 0.01 && !fits({ width: evenSide(v.width, scale), height: evenSide(v.height, scale) })) scale *= 0.95;
  fixes.push(
    `--set inputs.${name}.options.width=${evenSide(v.width, scale)} --set inputs.${name}.options.height=${evenSide(v.height, scale)}`,
  );
  return (
    `${v.width}×${v.height} frames at ${v.fps} fps make video chunks of up to ${formatBytes(plan.chunkBytes)} ` +
    `(${plan.chunkSeconds} s: chunking.seconds ${v.chunkSeconds} and ${v.searchSeconds} s of pause search each side), ` +
    `${plan.chunks} in flight${plan.wholeBytes > 0 ? ` plus ${formatBytes(plan.wholeBytes)} held whole` : ''}: ` +
    `${formatBytes(plan.totalBytes)}, more than ${Math.round(MEMORY_SHARE * 100)} % of this machine's ${formatBytes(memory)}; ` +
    `${fixes.join(', or ')} (or set ${MEMORY_ENV} where the machine has more than it shows)`
  );
}
