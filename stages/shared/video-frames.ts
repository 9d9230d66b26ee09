/** Frames of a video packet (a still image arrives as a one-frame video) as RGB images. */
import type { Packet, VideoPacket } from '../../src/core/types.ts';
import { TalkingHeadError } from './errors.ts';
import type { RgbFrame } from '../face-detect/detector.ts';

export function videoPacket(packet: Packet | undefined, what: string): VideoPacket {
  if (!packet || packet.kind !== 'video') throw new TalkingHeadError(`${what}: expected video frames (or a still image), got ${packet ? packet.kind : 'nothing'}`);
  const size = packet.width * packet.height * 3;
  if (packet.frameCount < 1 || packet.data.length !== size * packet.frameCount) {
    throw new TalkingHeadError(`${what}: ${packet.frameCount} frames of ${packet.width}×${packet.height} RGB need ${size * packet.frameCount} bytes; got ${packet.data.length}`);
  }
  return packet;
}

/** Frame i as a view (no copy). */
export function frameAt(p: VideoPacket, i: number): RgbFrame {
  const size = p.width * p.height * 3;
  return { data: p.data.subarray(i * size, (i + 1) * size), width: p.width, height: p.height, channels: 3 };
}
