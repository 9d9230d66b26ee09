/**
 * Frames of a video packet (a still image arrives as a one-frame video) as RGB images. Frames are
 * views into the packet's bytes, never copies: a face loop held whole lives in one shared buffer
 * that every chunk points into (`frameMap`).
 */
import { InputError } from '../../src/core/errors.ts';
import type { VideoPacket } from '../../src/core/types.ts';
import type { RgbFrame } from '../face-detect/detector.ts';

/** `packet` once its bytes are checked to hold `frameCount` RGB24 frames (at least one). */
export function checkedFrames(packet: VideoPacket, port: string): VideoPacket {
  const size = packet.width * packet.height * 3;
  const map = packet.frameMap;
  if (map) {
    const held = packet.data.length / size;
    if (map.length !== packet.frameCount || !Number.isInteger(held) || map.some((j) => j < 0 || j >= held))
      throw new InputError(
        `input "${port}": a frame map of ${map.length} entries for ${packet.frameCount} frames must point into the ${Math.floor(held)} frames held`,
      );
    return packet;
  }
  if (packet.frameCount < 1 || packet.data.length !== size * packet.frameCount) {
    throw new InputError(
      `input "${port}": ${packet.frameCount} frames of ${packet.width}×${packet.height} RGB need ${size * packet.frameCount} bytes; got ${packet.data.length}`,
    );
  }
  return packet;
}

/** Whether frame `i` of the clip (or looped stream) is one of the packet's. */
export function holdsFrame(p: VideoPacket, i: number): boolean {
  return i >= p.startFrame && i < p.startFrame + p.frameCount;
}

/** Which frame of `data` frame i of the packet is (they differ in a chunk of a loop held whole). */
export function heldFrameIndex(p: VideoPacket, i: number): number {
  return p.frameMap ? p.frameMap[i] : i;
}

/** Frame i as a view (no copy). */
export function frameAt(p: VideoPacket, i: number): RgbFrame {
  const size = p.width * p.height * 3;
  const j = heldFrameIndex(p, i);
  return { data: p.data.subarray(j * size, (j + 1) * size), width: p.width, height: p.height, channels: 3 };
}
