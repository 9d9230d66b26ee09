/**
 * video-source, image-source and mp4-sink through the real runtime: a face video and a voice
 * become an H.264 + AAC mp4 of the right size and length; frames are cut on the grid with exact
 * frame counts; a still image is one frame; a whole video too big to hold is refused by name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageCreateContext } from '../../../src/core/stage.ts';
import type { ChunkInfo, VideoPacket } from '../../../src/core/types.ts';
import { prepareTransfer } from '../../../src/runtime/transfer.ts';
import { mp4Sink } from '../../../stages/media/sinks.ts';
import { audioSource, imageSource, videoSource } from '../../../stages/media/sources.ts';
import { testContext, type TestContext } from '../../helpers/stage-harness.ts';
import { collect, colorPng, ffmpeg, ffprobeJson, tempDir } from '../../media/makeMedia.ts';
import { drawFace } from '../talking-head/synthetic-face.ts';
import { node, runMedia } from './helpers.ts';

const W = 96;
const H = 96;
const FPS = 25;
const SECONDS = 5.2;

const tmp = tempDir('video-source');
let face: string;
let voice: string;

beforeAll(() => {
  // A drawn face that sways left and right, 130 frames.
  const frames = Math.round(SECONDS * FPS);
  const raw = new Uint8Array(frames * W * H * 3);
  for (let i = 0; i < frames; i++)
    raw.set(drawFace(W, H, 48 + Math.round(6 * Math.sin(i / 8)), 44, 22, 28).data, i * W * H * 3);
  writeFileSync(tmp.path('face.rgb'), raw);
  face = tmp.path('face clip.mp4');
  ffmpeg(
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-s',
    `${W}x${H}`,
    '-framerate',
    String(FPS),
    '-i',
    tmp.path('face.rgb'),
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    face,
  );
  voice = tmp.path('voice.wav');
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=220:sample_rate=24000:duration=${SECONDS}`,
    '-af',
    "volume=enable='between(t,1.9,2.1)':volume=0",
    voice,
  );
});
afterAll(() => tmp.remove());

function ctxFor(inputPath: string, extra: TestContext = {}): StageCreateContext {
  return testContext(videoSource, { id: 'face', inputPath, tempDir: '/tmp/reel-run-v', ...extra });
}

/** The video source's start line on what its frames will hold (tested in video-memory.test.ts). */
const MEMORY_LINE = /video chunks of ≤ .* \(machine memory/;

describe('video → mp4', () => {
  it('muxes a face video and a voice into H.264 + AAC at the frames’ size and length', async () => {
    const out = tmp.path('out');
    const chunks: ChunkInfo[] = [];
    const logs: string[] = [];
    const result = await runMedia({
      nodes: {
        face: node(videoSource),
        voice: node(audioSource),
        sink: node(mp4Sink, { preset: 'ultrafast' }, 'video'),
      },
      edges: ['face.frames -> sink.frames', 'voice.audio -> sink.audio'],
      chunking: { seconds: 2, silenceSearchSeconds: 0.5 },
      inputs: { face, voice },
      outDir: out,
      onChunk: (stage, chunk) => stage === 'sink' && chunks.push(chunk),
      onLog: (_stage, line) => void (MEMORY_LINE.test(line) || logs.push(line)),
    });
    expect(logs).toEqual([]);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
    const info = ffprobeJson(result.files.video[0]);
    const v = info.streams.find((s) => s.codec_type === 'video')!;
    const a = info.streams.find((s) => s.codec_type === 'audio')!;
    expect(v).toMatchObject({ codec_name: 'h264', width: W, height: H, pix_fmt: 'yuv420p' });
    expect(a).toMatchObject({ codec_name: 'aac', sample_rate: '24000', channels: 1 });
    expect(Math.abs(Number(info.format.duration) - SECONDS)).toBeLessThan(0.1);
    // AAC adds a priming frame of 1024 samples; beyond that the soundtrack matches the frames.
    const duration = (s: object) => Number((s as { duration: string }).duration);
    expect(Math.abs(duration(a) - duration(v))).toBeLessThan(1 / FPS + 1024 / 24000);
  });

  it('fills with silence where the soundtrack ends before the frames, and says so once', async () => {
    const short = tmp.path('short voice.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=16000:duration=2.6', short);
    const logs: string[] = [];
    const result = await runMedia({
      nodes: {
        face: node(videoSource),
        voice: node(audioSource),
        sink: node(mp4Sink, { preset: 'ultrafast' }, 'video'),
      },
      edges: ['face.frames -> sink.frames', 'voice.audio -> sink.audio'],
      chunking: { seconds: 1, silenceSearchSeconds: 0 },
      inputs: { face, voice: short },
      outDir: tmp.path('out-short'),
      onLog: (_stage, line) => void (MEMORY_LINE.test(line) || logs.push(line)),
    });
    const info = ffprobeJson(result.files.video[0]);
    const a = info.streams.find((s) => s.codec_type === 'audio')! as unknown as { duration: string };
    expect(Math.abs(Number(a.duration) - SECONDS)).toBeLessThan(0.1);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/soundtrack is 2\.600 s but the video 5\.200 s \(2\.600 s of silence added/);
  });

  it('cuts frames on the grid: chunk k owns frames [round(k·S·fps), round((k+1)·S·fps))', async () => {
    const instance = await videoSource.create!(
      videoSource.options.parse({ fps: 10 }),
      ctxFor(face, { chunking: { seconds: 1.25, silenceSearchSeconds: 1 } }),
    );
    const packets = (await collect(instance.packets)).map((p) => p.packet as VideoPacket);
    await instance.dispose();
    const S = 1.25;
    expect(packets.map((p) => p.startFrame)).toEqual(packets.map((_, k) => Math.round(k * S * 10)));
    expect(packets.reduce((n, p) => n + p.frameCount, 0)).toBe(Math.round(SECONDS * 10));
    expect(packets.map((p) => p.chunk.last)).toEqual(packets.map((_, k) => k === packets.length - 1));
    for (const p of packets) {
      expect(p.data.byteLength).toBe(p.frameCount * W * H * 3);
      expect(Object.keys(p.chunk).sort()).toEqual(['clipId', 'end', 'index', 'last', 'start']);
    }
    expect(packets.at(-1)!.chunk.end).toBeCloseTo(SECONDS, 9);
  });

  it('sends a whole video as one packet of every frame, scaled as asked', async () => {
    const instance = await videoSource.create!(
      videoSource.options.parse({ width: 48 }),
      ctxFor(face, { wholeInput: true }),
    );
    const packets = await collect(instance.packets);
    await instance.dispose();
    expect(packets.length).toBe(1);
    const p = packets[0].packet as VideoPacket;
    expect([p.width, p.height, p.fps, p.frameCount]).toEqual([48, 48, FPS, SECONDS * FPS]);
    expect(p.chunk).toMatchObject({ index: 0, start: 0, last: true });
    // Held once: its consumers' workers share the frames, neither moved nor copied to them.
    expect(p.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    const posted = prepareTransfer([packets[0], packets[0]], () => true);
    expect(posted.transfer).toEqual([]);
    expect(posted.packets.every((x) => (x.packet as VideoPacket).data === p.data)).toBe(true);
  });

  it('says once when a video decodes well short of the length its container declares (a Matroska file cut short)', async () => {
    // ffmpeg reads a cut MP4 as "partial file" (an error already); a cut MKV decodes up to the cut.
    const whole = tmp.path('clip.mkv');
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=64x48:rate=25:duration=6',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p',
      whole,
    );
    const cut = tmp.path('clip cut.mkv');
    const bytes = readFileSync(whole);
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 3)));
    for (const wholeInput of [false, true]) {
      const lines: string[] = [];
      const instance = await videoSource.create!(
        videoSource.options.parse({}),
        ctxFor(cut, {
          wholeInput,
          chunking: { seconds: 1, silenceSearchSeconds: 0 },
          log: (l) => void (MEMORY_LINE.test(l) || lines.push(l)),
        }),
      );
      const packets = await collect(instance.packets);
      await instance.dispose();
      const frames = packets.reduce((n, p) => n + (p.packet as VideoPacket).frameCount, 0);
      expect(frames).toBeGreaterThan(0);
      expect(frames).toBeLessThan(6 * 25 - 25);
      expect(lines).toEqual([
        expect.stringMatching(
          /clip cut\.mkv: decoded [\d.]+ s of the 6\.\d+ s its container declares — the file may be truncated/,
        ),
      ]);
    }
    const quiet: string[] = [];
    const instance = await videoSource.create!(
      videoSource.options.parse({}),
      ctxFor(whole, {
        chunking: { seconds: 1, silenceSearchSeconds: 0 },
        log: (l) => void (MEMORY_LINE.test(l) || quiet.push(l)),
      }),
    );
    await collect(instance.packets);
    await instance.dispose();
    expect(quiet).toEqual([]);
  });

  it('turns a still image into a one-frame video, and image-source into one image packet', async () => {
    const png = tmp.path('-still ü.png');
    colorPng(png, { color: 'red', size: '40x30' });
    for (const [def, port, wholeInput] of [
      [videoSource, 'frames', false],
      [videoSource, 'frames', true],
      [imageSource, 'image', false],
    ] as const) {
      const instance = await def.create!(def.options.parse({}) as never, ctxFor(png, { wholeInput }));
      const packets = await collect(instance.packets);
      await instance.dispose();
      expect(packets.length).toBe(1);
      expect(packets[0].port).toBe(port);
      const p = packets[0].packet as VideoPacket;
      expect([p.kind, p.width, p.height, p.frameCount, p.fps]).toEqual(['video', 40, 30, 1, 25]);
      expect(Array.from(p.data.subarray(0, 3))).toEqual([254, 0, 0].map((c) => expect.closeTo(c, -1)) as never);
    }
  });

  it('refuses a whole video over 2 GiB of RGB before decoding, naming the file and the fix', async () => {
    const ctx = ctxFor(face, { wholeInput: true });
    const err = await videoSource.create!(videoSource.options.parse({ width: 8192, height: 8192 }), ctx).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(face);
    expect(err?.message).toMatch(
      /130 frames of 8192×8192 RGB \(24\.4 GiB\).*at most 2\.0 GiB is accepted; scale it \(--set inputs\.\S+\.options\.width=2346 --set inputs\.\S+\.options\.height=2346\)/,
    );
  });
});
