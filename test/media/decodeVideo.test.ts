import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeVideo } from '../../src/media/decodeVideo.ts';
import { probe } from '../../src/media/probe.ts';
import { avMp4, collect, colorMp4, colorPng, sineWav, tempDir } from './makeMedia.ts';

/** RGB of pixel (x, y) of frame `f` in a block. */
function pixel(block: { width: number; height: number; data: Uint8Array }, f: number, x: number, y: number): number[] {
  const at = (f * block.height * block.width + y * block.width + x) * 3;
  return [block.data[at], block.data[at + 1], block.data[at + 2]];
}

describe('probe', () => {
  const tmp = tempDir('probe');
  afterAll(() => tmp.remove());

  it('describes an mp4: duration, format, an H.264 video and an AAC audio stream', async () => {
    const info = await probe(avMp4(tmp.path('av.mp4'), { seconds: 2, size: '64x48', fps: 25 }));
    expect(info.format).toContain('mp4');
    expect(info.duration).toBeGreaterThan(1.9);
    expect(info.duration).toBeLessThan(2.1);
    expect(info.isImage).toBe(false);
    expect(info.video).toMatchObject({ codec: 'h264', width: 64, height: 48, fps: 25, frameCount: 50 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 44100, channels: 1 });
  });

  it('describes a wav as audio only', async () => {
    const info = await probe(sineWav(tmp.path('s.wav'), { freq: 440, rate: 22050, seconds: 0.5, channels: 2 }));
    expect(info.format).toBe('wav');
    expect(info.duration).toBeCloseTo(0.5, 3);
    expect(info.audio).toMatchObject({ codec: 'pcm_s16le', sampleRate: 22050, channels: 2 });
    expect(info.video).toBeUndefined();
  });

  it('recognises a png as an image', async () => {
    const info = await probe(colorPng(tmp.path('c.png'), { color: 'blue', size: '20x10' }));
    expect(info.isImage).toBe(true);
    expect(info.video).toMatchObject({ codec: 'png', width: 20, height: 10 });
    expect(info.duration).toBeUndefined();
  });

  it('recognises a jpeg as an image, and decodes it as a still video', async () => {
    const jpg = colorPng(tmp.path('c.jpg'), { color: 'white', size: '16x16' });
    expect((await probe(jpg)).isImage).toBe(true);
    const blocks = await collect(decodeVideo(jpg, { fps: 5, frames: 3 }));
    expect(blocks.map((b) => [b.width, b.height, b.data[0] > 250])).toEqual([
      [16, 16, true],
      [16, 16, true],
      [16, 16, true],
    ]);
  });
});

describe('decodeVideo', () => {
  const tmp = tempDir('video');
  let av: string;
  let teal: string;
  let png: string;
  beforeAll(() => {
    av = avMp4(tmp.path('av.mp4'), { seconds: 2, size: '64x48', fps: 25 });
    // 0x3080C0 = rgb(48, 128, 192)
    teal = colorMp4(tmp.path('teal.mp4'), { color: '0x3080C0', seconds: 1, size: '32x24', fps: 25 });
    png = colorPng(tmp.path('orange.png'), { color: '0xFF8000', size: '40x30' });
  });
  afterAll(() => tmp.remove());

  it('decodes 2 s at 25 fps to 20 frames at 10 fps, at the file size by default', async () => {
    const blocks = await collect(decodeVideo(av, { fps: 10 }));
    expect(blocks.length).toBe(20);
    expect(
      blocks.every((b) => b.width === 64 && b.height === 48 && b.frameCount === 1 && b.data.length === 64 * 48 * 3),
    ).toBe(true);
    expect(blocks.map((b) => b.startFrame)).toEqual([...Array(20).keys()]);
  });

  it('keeps the file rate when no fps is given, and groups frames per block', async () => {
    const blocks = await collect(decodeVideo(av, { framesPerBlock: 16 }));
    expect(blocks.map((b) => b.frameCount)).toEqual([16, 16, 16, 2]);
    expect(blocks[3].startFrame).toBe(48);
    expect(blocks[0].fps).toBe(25);
  });

  it('returns the colour of a flat colour source, to within YUV rounding', async () => {
    const [first] = await collect(decodeVideo(teal, { fps: 25, frames: 1 }));
    for (const [x, y] of [
      [0, 0],
      [16, 12],
      [31, 23],
    ]) {
      const [r, g, b] = pixel(first, 0, x, y);
      expect(Math.abs(r - 48)).toBeLessThanOrEqual(3);
      expect(Math.abs(g - 128)).toBeLessThanOrEqual(3);
      expect(Math.abs(b - 192)).toBeLessThanOrEqual(3);
    }
  });

  it('scales, keeping the aspect ratio when only the width is given', async () => {
    const blocks = await collect(decodeVideo(av, { fps: 5, width: 32 }));
    expect(blocks[0]).toMatchObject({ width: 32, height: 24 });
    expect(blocks[0].data.length).toBe(32 * 24 * 3);
    expect(blocks.length).toBe(10);
  });

  it('stops after the frames asked for', async () => {
    const blocks = await collect(decodeVideo(av, { fps: 25, frames: 7, framesPerBlock: 4 }));
    expect(blocks.map((b) => b.frameCount)).toEqual([4, 3]);
  });

  it('turns an image into a still video of exactly the frames asked for', async () => {
    const blocks = await collect(decodeVideo(png, { fps: 12, frames: 30, framesPerBlock: 8, width: 20, height: 16 }));
    expect(blocks.map((b) => b.frameCount)).toEqual([8, 8, 8, 6]);
    const ref = pixel(blocks[0], 0, 10, 8);
    expect(Math.abs(ref[0] - 255)).toBeLessThanOrEqual(2);
    expect(Math.abs(ref[1] - 128)).toBeLessThanOrEqual(2);
    expect(ref[2]).toBeLessThanOrEqual(2);
    for (const b of blocks) for (let f = 0; f < b.frameCount; f++) expect(pixel(b, f, 3, 3)).toEqual(ref);
  });

  it('turns an image into `seconds` × fps frames', async () => {
    const blocks = await collect(decodeVideo(png, { fps: 10, seconds: 1.5 }));
    expect(blocks.length).toBe(15);
  });

  it('asks for a length when given an image without one', async () => {
    await expect(collect(decodeVideo(png, { fps: 10 }))).rejects.toThrow(
      /orange\.png: is a still image: ask for a number of frames/,
    );
  });
});
