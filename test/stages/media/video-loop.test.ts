/**
 * A face looped on the grid (stages/media/video-loop.ts): chunk k holds frames
 * [round(k·S·fps), round((k+1)·S·fps)) of the looped stream, each pointing into the frames held
 * once — from the first again (repeat) or back and forth (pingpong), across chunk edges.
 */
import { describe, expect, it } from 'vitest';
import type { VideoPacket } from '../../../src/core/types.ts';
import { heldLoopChunks, loopedFrame } from '../../../stages/media/video-loop.ts';

async function firstChunks(frames: number, mode: 'repeat' | 'pingpong', count: number): Promise<VideoPacket[]> {
  const held = new Uint8Array(new SharedArrayBuffer(frames * 3));
  const grid = { clipId: 'clip', width: 1, height: 1, fps: 25, chunkSeconds: 0.4 };
  const out: VideoPacket[] = [];
  for await (const { packet } of heldLoopChunks(grid, held, frames, mode)) {
    out.push(packet as VideoPacket);
    if (out.length === count) break;
  }
  return out;
}

describe('a held face loop on the grid', () => {
  it('repeats, or plays back and forth without showing an end twice in a row', () => {
    expect(Array.from({ length: 9 }, (_, t) => loopedFrame(t, 4, 'repeat'))).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0]);
    expect(Array.from({ length: 11 }, (_, t) => loopedFrame(t, 4, 'pingpong'))).toEqual([
      0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2,
    ]);
    // One or two frames: nothing to turn around.
    expect(Array.from({ length: 4 }, (_, t) => loopedFrame(t, 2, 'pingpong'))).toEqual([0, 1, 0, 1]);
    expect(loopedFrame(5, 1, 'pingpong')).toBe(0);
  });

  it('cuts the looped stream on the grid without end, the pattern running on across chunk edges', async () => {
    for (const mode of ['repeat', 'pingpong'] as const) {
      const chunks = await firstChunks(7, mode, 4);
      // 0.4 s at 25 fps: chunks of 10 frames, none the last, a 7-frame loop turning inside them.
      expect(chunks.map((c) => [c.startFrame, c.frameCount, c.chunk.last])).toEqual([
        [0, 10, false],
        [10, 10, false],
        [20, 10, false],
        [30, 10, false],
      ]);
      const shown = chunks.flatMap((c) => Array.from(c.frameMap!));
      expect(shown).toEqual(Array.from({ length: 40 }, (_, t) => loopedFrame(t, 7, mode)));
      expect(shown.slice(0, 14)).toEqual(
        mode === 'repeat' ? [0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6] : [0, 1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1, 0, 1],
      );
    }
  });
});
