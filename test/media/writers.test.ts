/**
 * Encoders fed by streams: WAV and MP4 round-trips through ffmpeg/ffprobe, and atomic output
 * (no file under the final name after a failure or an abort, no temp file left behind).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, MediaError } from '../../src/core/errors.ts';
import { decodeAudio } from '../../src/media/decodeAudio.ts';
import { decodeVideo } from '../../src/media/decodeVideo.ts';
import { openMp4Writer, writeMp4 } from '../../src/media/mp4Writer.ts';
import { openWavWriter, writeWav } from '../../src/media/wavWriter.ts';
import {
  collect,
  concatFloat32,
  ffprobeJson,
  processExists,
  sineWav,
  tempDir,
  zeroCrossingFrequency,
} from './makeMedia.ts';

/** A generated ramp-and-sine signal, interleaved, in blocks — not read from any file. */
async function* synth(o: { rate: number; channels: number; seconds: number; block: number; freq: number }) {
  const total = Math.round(o.rate * o.seconds);
  for (let start = 0; start < total; start += o.block) {
    const n = Math.min(o.block, total - start);
    const out = new Float32Array(n * o.channels);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < o.channels; c++)
        out[i * o.channels + c] = 0.5 * Math.sin((2 * Math.PI * o.freq * (start + i)) / o.rate) * (c === 0 ? 1 : -1);
    }
    yield out;
  }
}

/** Flat-colour RGB24 frames whose red channel steps with the frame index. */
async function* frames(o: { width: number; height: number; count: number }) {
  for (let f = 0; f < o.count; f++) {
    const rgb = new Uint8Array(o.width * o.height * 3);
    for (let p = 0; p < rgb.length; p += 3) {
      rgb[p] = (f * 8) % 256;
      rgb[p + 1] = 100;
      rgb[p + 2] = 200;
    }
    yield rgb;
  }
}

const onlyFinal = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.partial'));

describe('WAV writer', () => {
  const tmp = tempDir('wav');
  afterAll(() => tmp.remove());

  for (const sampleFormat of ['s16', 'f32'] as const) {
    it(`round-trips ${sampleFormat} stereo: ffprobe reads the header, ffmpeg decodes the same samples`, async () => {
      const out = tmp.path(`rt-${sampleFormat}.wav`);
      const { frames: written } = await writeWav(
        out,
        synth({ rate: 22050, channels: 2, seconds: 1.25, block: 1000, freq: 500 }),
        {
          sampleRate: 22050,
          channels: 2,
          sampleFormat,
        },
      );
      expect(written).toBe(27563); // round(22050 × 1.25)
      const p = ffprobeJson(out);
      expect(p.streams[0]).toMatchObject({
        codec_name: sampleFormat === 's16' ? 'pcm_s16le' : 'pcm_f32le',
        sample_rate: '22050',
        channels: 2,
      });
      expect(Number(p.format.duration)).toBeCloseTo(27563 / 22050, 4);
      const back = concatFloat32(await collect(decodeAudio(out, { sampleRate: 22050, channels: 2 })));
      const want = concatFloat32(
        await collect(synth({ rate: 22050, channels: 2, seconds: 1.25, block: 4096, freq: 500 })),
      );
      expect(back.length).toBe(want.length);
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(back[i] - want[i]));
      expect(maxErr).toBeLessThan(sampleFormat === 'f32' ? 1e-7 : 1 / 32767);
      expect(onlyFinal(tmp.dir)).toEqual([]);
    });
  }

  it('writes 16-bit PCM clipped at ±1 and rounded as Math.round rounds, halves and negatives included', async () => {
    const edges = [-2, -1, -1.0001, 1, 1.5, 0, -0, 0.5 / 32767, -0.5 / 32767, 1.5 / 32767, -1.5 / 32767];
    // Next to where the encoder clips: the float32 just inside ±1, and those about ½ step from it.
    const nearClip = [0.99999994, -0.99999994, 32766.5 / 32767, -32766.5 / 32767, 32767.5 / 32767, -1.0000001];
    const random = Array.from({ length: 4096 }, (_, i) => Math.sin(i * 12.9898) * 1.1);
    const samples = new Float32Array([...edges, ...nearClip, ...random]);
    const file = tmp.path('rounding.wav');
    await writeWav(
      file,
      (async function* () {
        yield samples;
      })(),
      { sampleRate: 8000, channels: 1 },
    );
    const bytes = readFileSync(file);
    const pcm = new Int16Array(bytes.buffer, bytes.byteOffset + bytes.length - samples.length * 2, samples.length);
    // The reference: clip, then Math.round of the float32 sample × 32767.
    const expected = Array.from(samples, (s) => (s >= 1 ? 32767 : s <= -1 ? -32768 : Math.round(s * 32767) || 0));
    expect(Array.from(pcm)).toEqual(expected);
    expect(Array.from(pcm.subarray(0, 7))).toEqual([-32768, -32768, -32768, 32767, 32767, 0, 0]);
  });

  it('re-encodes a decoded file block by block', async () => {
    const src = sineWav(tmp.path('src.wav'), { freq: 440, rate: 48000, seconds: 2 });
    const out = tmp.path('re.wav');
    await writeWav(out, decodeAudio(src, { sampleRate: 16000, channels: 1, blockSamples: 3000 }), {
      sampleRate: 16000,
      channels: 1,
    });
    const x = concatFloat32(await collect(decodeAudio(out, { sampleRate: 16000, channels: 1 })));
    expect(x.length).toBe(32000);
    expect(zeroCrossingFrequency(x, 16000)).toBeCloseTo(440, 0);
  });

  it('leaves no file when the source fails midway, and no temp file either', async () => {
    const out = tmp.path('broken.wav');
    async function* failing() {
      yield new Float32Array(100);
      throw new Error('upstream stage failed');
    }
    await expect(writeWav(out, failing(), { sampleRate: 8000, channels: 1 })).rejects.toThrow('upstream stage failed');
    expect(existsSync(out)).toBe(false);
    expect(onlyFinal(tmp.dir)).toEqual([]);
  });

  it('leaves no file when aborted, and refuses later writes', async () => {
    const ac = new AbortController();
    const out = tmp.path('aborted.wav');
    const w = await openWavWriter(out, { sampleRate: 8000, channels: 1, signal: ac.signal });
    await w.write(new Float32Array(800));
    ac.abort();
    await expect(w.write(new Float32Array(800))).rejects.toBeInstanceOf(CancelledError);
    expect(existsSync(out)).toBe(false);
    expect(onlyFinal(tmp.dir)).toEqual([]);
  });

  it('names the file when its folder does not exist', async () => {
    await expect(openWavWriter(tmp.path('no/such/dir/x.wav'), { sampleRate: 8000, channels: 1 })).rejects.toThrow(
      /x\.wav: output folder .* does not exist/,
    );
  });
});

describe('MP4 writer', () => {
  const tmp = tempDir('mp4');
  afterAll(() => tmp.remove());

  it('muxes RGB frames and PCM from two pipes into H.264 + AAC, yuv420p, faststart', async () => {
    const out = tmp.path('clip.mp4');
    const [w, h, fps, seconds] = [96, 64, 25, 2];
    await writeMp4(
      out,
      {
        video: frames({ width: w, height: h, count: fps * seconds }),
        audio: synth({ rate: 44100, channels: 2, seconds, block: 2048, freq: 440 }),
      },
      { width: w, height: h, fps, audio: { sampleRate: 44100, channels: 2 }, preset: 'ultrafast' },
    );
    const p = ffprobeJson(out);
    const v = p.streams.find((s) => s.codec_type === 'video');
    const a = p.streams.find((s) => s.codec_type === 'audio');
    expect(v).toMatchObject({ codec_name: 'h264', width: w, height: h, pix_fmt: 'yuv420p' });
    expect(a).toMatchObject({ codec_name: 'aac', sample_rate: '44100', channels: 2 });
    expect(Number(p.format.duration)).toBeGreaterThan(1.95);
    expect(Number(p.format.duration)).toBeLessThan(2.1);
    // faststart: the moov atom comes before mdat.
    const head = Buffer.from(await import('node:fs/promises').then((fs) => fs.readFile(out)))
      .subarray(0, 4096)
      .toString('latin1');
    expect(head.indexOf('moov')).toBeGreaterThan(0);
    expect(head.indexOf('moov')).toBeLessThan(head.indexOf('mdat') === -1 ? Infinity : head.indexOf('mdat'));
    // Frames decode back with their colours; the sound keeps its pitch.
    const back = await collect(decodeVideo(out, { fps }));
    expect(back.length).toBe(fps * seconds);
    const mid = back[10].data;
    const at = ((h / 2) * w + w / 2) * 3;
    expect(Math.abs(mid[at] - 80)).toBeLessThanOrEqual(6);
    expect(Math.abs(mid[at + 1] - 100)).toBeLessThanOrEqual(6);
    expect(Math.abs(mid[at + 2] - 200)).toBeLessThanOrEqual(6);
    const pcm = concatFloat32(await collect(decodeAudio(out, { sampleRate: 16000, channels: 1 }))).subarray(0, 16000);
    // Channels are in antiphase, so a mono downmix is silence; take the left channel instead.
    const left = concatFloat32(await collect(decodeAudio(out, { sampleRate: 16000, channels: 2 }))).filter(
      (_, i) => i % 2 === 0,
    );
    expect(Math.max(...pcm.map(Math.abs))).toBeLessThan(0.05);
    expect(zeroCrossingFrequency(left.subarray(2000, 30000), 16000)).toBeCloseTo(440, 0);
    expect(onlyFinal(tmp.dir)).toEqual([]);
  });

  it('writes a video without sound, padding an odd size to even', async () => {
    const out = tmp.path('silent.mp4');
    await writeMp4(
      out,
      { video: frames({ width: 33, height: 21, count: 10 }) },
      { width: 33, height: 21, fps: 10, preset: 'ultrafast' },
    );
    const p = ffprobeJson(out);
    expect(p.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(p.streams[0]).toMatchObject({ width: 34, height: 22 });
  });

  it('kills ffmpeg and leaves no file on abort', async () => {
    const ac = new AbortController();
    const out = tmp.path('aborted.mp4');
    const w = await openMp4Writer(out, {
      width: 32,
      height: 32,
      fps: 10,
      audio: { sampleRate: 8000, channels: 1 },
      signal: ac.signal,
    });
    await w.writeAudio(new Float32Array(800));
    await w.writeFrames(new Uint8Array(32 * 32 * 3));
    ac.abort();
    await expect(w.writeFrames(new Uint8Array(32 * 32 * 3))).rejects.toBeInstanceOf(CancelledError);
    expect(processExists(w.pid!)).toBe(false); // the rejected write waited for the kill
    expect(existsSync(out)).toBe(false);
    expect(onlyFinal(tmp.dir)).toEqual([]);
  });

  it("reports ffmpeg's reason and leaves no file when the encoder fails", async () => {
    const out = tmp.path('bad-preset.mp4');
    const err = await writeMp4(
      out,
      { video: frames({ width: 16, height: 16, count: 50 }) },
      { width: 16, height: 16, fps: 10, preset: 'no-such-preset' },
    ).catch((e) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as MediaError).message).toMatch(/bad-preset\.mp4: .*\(ffmpeg: .+\)/);
    expect(existsSync(out)).toBe(false);
    expect(onlyFinal(tmp.dir)).toEqual([]);
  });

  it('leaves no file when a source fails midway', async () => {
    const out = tmp.path('src-fail.mp4');
    async function* failing() {
      yield* frames({ width: 16, height: 16, count: 3 });
      throw new Error('vae stage failed');
    }
    await expect(writeMp4(out, { video: failing() }, { width: 16, height: 16, fps: 10 })).rejects.toThrow(
      'vae stage failed',
    );
    expect(existsSync(out)).toBe(false);
    expect(onlyFinal(tmp.dir)).toEqual([]);
  });
});
