import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../src/media/decodeAudio.ts';
import { avMp4, collect, concatFloat32, sineWav, tempDir, zeroCrossingFrequency } from './makeMedia.ts';

describe('decodeAudio', () => {
  const tmp = tempDir('audio');
  let sine48k: string;
  let stereo: string;
  let av: string;
  beforeAll(() => {
    sine48k = sineWav(tmp.path('sine440-48k.wav'), { freq: 440, rate: 48000, seconds: 1.5 });
    stereo = sineWav(tmp.path('sine-stereo.wav'), { freq: 1000, rate: 16000, seconds: 1, channels: 2 });
    av = avMp4(tmp.path('av.mp4'), { seconds: 2 });
  });
  afterAll(() => tmp.remove());

  it('resamples 1.5 s at 48 kHz to exactly 24000 samples at 16 kHz, in full blocks but the last', async () => {
    const blocks = await collect(decodeAudio(sine48k, { sampleRate: 16000, channels: 1, blockSamples: 5000 }));
    expect(blocks.map((b) => b.length)).toEqual([5000, 5000, 5000, 5000, 4000]);
    expect(blocks.reduce((n, b) => n + b.length, 0)).toBe(1.5 * 16000);
  });

  it('keeps the sine at its frequency and amplitude', async () => {
    const x = concatFloat32(await collect(decodeAudio(sine48k, { sampleRate: 16000, channels: 1 })));
    expect(zeroCrossingFrequency(x, 16000)).toBeCloseTo(440, 0);
    const peak = x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    // lavfi's sine has amplitude 1/8.
    expect(peak).toBeGreaterThan(0.12);
    expect(peak).toBeLessThan(0.13);
  });

  it('interleaves channels: a stereo block holds blockSamples × 2 values, both channels alike', async () => {
    const blocks = await collect(decodeAudio(stereo, { sampleRate: 16000, channels: 2, blockSamples: 4000 }));
    expect(blocks.map((b) => b.length)).toEqual([8000, 8000, 8000, 8000]);
    const x = blocks[1];
    for (let i = 0; i < x.length; i += 2) expect(x[i]).toBe(x[i + 1]);
  });

  it('upmixes mono to stereo and downmixes on request', async () => {
    const up = concatFloat32(await collect(decodeAudio(sine48k, { sampleRate: 8000, channels: 2 })));
    expect(up.length).toBe(1.5 * 8000 * 2);
  });

  it("decodes a video file's audio track", async () => {
    const x = concatFloat32(await collect(decodeAudio(av, { sampleRate: 16000, channels: 1 })));
    // AAC adds priming/padding samples at the edges; the length is within one AAC frame of 2 s.
    expect(Math.abs(x.length - 32000)).toBeLessThan(1024);
    expect(zeroCrossingFrequency(x.subarray(2000, 30000), 16000)).toBeCloseTo(440, 0);
  });

  it('refuses nonsense options before starting ffmpeg', () => {
    expect(() => decodeAudio(sine48k, { sampleRate: 0, channels: 1 })).toThrow(/sampleRate must be an integer/);
    expect(() => decodeAudio(sine48k, { sampleRate: 16000, channels: 1.5 })).toThrow(/channels must be an integer/);
  });
});
