/**
 * Frames of a video packet (a still image arrives as a one-frame video) as RGB images. Frames are
 * views into the packet's bytes, never copies: a face loop taken whole lives in one shared buffer
 * that every item of the clip reads.
 */
import { InputError } from '../../src/core/errors.ts';
import type { VideoPacket } from '../../src/core/types.ts';
import type { RgbFrame } from '../face-detect/detector.ts';

/** `packet` once its bytes are checked to hold `frameCount` RGB24 frames (at least one). */
export function checkedFrames(packet: VideoPacket, port: string): VideoPacket {
  const size = packet.width * packet.height * 3;
  if (packet.frameCount < 1 || packet.data.length !== size * packet.frameCount) {
    throw new InputError(
      `input "${port}": ${packet.frameCount} frames of ${packet.width}×${packet.height} RGB need ${size * packet.frameCount} bytes; got ${packet.data.length}`,
    );
  }
  return packet;
}

/** Frame i as a view (no copy). */
export function frameAt(p: VideoPacket, i: number): RgbFrame {
  const size = p.width * p.height * 3;
  return { data: p.data.subarray(i * size, (i + 1) * size), width: p.width, height: p.height, channels: 3 };
}
