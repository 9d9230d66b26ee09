/**
 * wav-sink and mp4-sink driven directly (no runtime), as the runtime drives them: `write(item)`
 * one item at a time, then `finish`, `commit` — or `abort` at any point. Pins the sink contract:
 * nothing under the final name before commit, abort safe twice and after finish, ffmpeg gone
 * after abort, and an mp4 whose two streams are cut at different places (and end at different
 * times) finishes instead of waiting for ever on one pipe.
 */
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CancelledError, InputError, MediaError } from '../../../src/core/errors.ts';
import { itemOf, type StageItem } from '../../../src/core/item.ts';
import type { AudioPacket, ChunkInfo, VideoPacket } from '../../../src/core/types.ts';
import { mp4Sink, wavSink } from '../../../stages/media/sinks.ts';
import { createSink } from '../../helpers/stage-harness.ts';
import { ffprobeJson, tempDir } from '../../media/makeMedia.ts';
import { ffmpegChildren, ffmpegDecode } from './helpers.ts';

const tmp = tempDir('sinks');
afterAll(() => tmp.remove());

const RATE = 16000;
const FPS = 25;
const W = 32;
const H = 24;

function chunk(index: number, start: number, end: number, last: boolean): ChunkInfo {
  return { clipId: 'c', index, start, end, last };
}

/** A 440 Hz tone cut at `cuts` (seconds, the last one the end), as the source would send it. */
function audioChunks(cuts: number[]): AudioPacket[] {
  const ends = cuts.map((t) => Math.round(t * RATE));
  return ends.map((end, k) => {
    const start = k === 0 ? 0 : ends[k - 1];
    const data = Float32Array.from(
      { length: end - start },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * (start + i)) / RATE),
    );
    return {
      kind: 'audio',
      chunk: chunk(k, start / RATE, end / RATE, k === ends.length - 1),
      sampleRate: RATE,
      channels: 1,
      startSample: start,
      data,
    };
  });
}

/** Grey frames on a `seconds` grid, `total` frames in all. */
function frameChunks(seconds: number, total: number): VideoPacket[] {
  const out: VideoPacket[] = [];
  for (let k = 0, start = 0; start < total; k++) {
    const end = Math.min(total, Math.round((k + 1) * seconds * FPS));
    const frameCount = end - start;
    const last = end === total;
    const data = new Uint8Array(frameCount * W * H * 3).fill(96 + k * 40);
    out.push({
      kind: 'video',
      chunk: chunk(k, start / FPS, end / FPS, last),
      width: W,
      height: H,
      fps: FPS,
      startFrame: start,
      frameCount,
      data,
    });
    start = end;
  }
  return out;
}

function items(frames: VideoPacket[], audio: AudioPacket[]): StageItem[] {
  return frames.map((f, k) => itemOf(f.chunk, audio[k] ? { frames: f, audio: audio[k] } : { frames: f }));
}

async function writeAll(sink: { write(item: StageItem): Promise<void> }, list: StageItem[]): Promise<void> {
  for (const item of list) await sink.write(item);
}

describe('wav-sink', () => {
  it('writes each item as it comes, and the file appears under its name only on commit', async () => {
    const outDir = tmp.path('wav');
    const sink = await createSink(wavSink, { sampleFormat: 'f32' }, { outDir, outputName: 'speech' });
    const chunks = audioChunks([0.7, 1.9, 2.5]);
    await writeAll(
      sink,
      chunks.map((p) => itemOf(p.chunk, { audio: p })),
    );
    await sink.finish();
    expect(existsSync(join(outDir, 'speech.wav'))).toBe(false);
    expect(sink.files()).toEqual([]);
    await sink.commit();
    expect(sink.files()).toEqual([join(outDir, 'speech.wav')]);
    const written = ffmpegDecode(join(outDir, 'speech.wav'));
    expect(written.length).toBe(2.5 * RATE);
    expect(Array.from(written.subarray(11_000, 11_010))).toEqual(Array.from(chunks[0].data.subarray(11_000, 11_010)));
    // After commit the file is the run's output: abort leaves it.
    await sink.abort();
    expect(await readdir(outDir)).toEqual(['speech.wav']);
  });

  it('fails on finish when every chunk was empty, leaving no file (no 44-byte WAV with exit 0)', async () => {
    const outDir = tmp.path('wav-empty');
    const sink = await createSink(wavSink, {}, { outDir, outputName: 'speech' });
    const empty: AudioPacket = { ...audioChunks([1])[0], data: new Float32Array(0), chunk: chunk(0, 0, 0, true) };
    await sink.write(itemOf(empty.chunk, { audio: empty }));
    await expect(sink.finish()).rejects.toThrow(/speech\.wav: no audio arrived/);
    await sink.abort();
    expect(await readdir(outDir)).toEqual([]);
  });

  it('refuses a packet of the wrong kind, a gap between chunks and a format change', async () => {
    const outDir = tmp.path('wav-bad');
    const [a, b] = audioChunks([1, 2]);
    const frames = frameChunks(1, 25)[0];
    const wrongKind = await createSink(wavSink, {}, { outDir, outputName: 'x' });
    await expect(wrongKind.write(itemOf(frames.chunk, { audio: frames }))).rejects.toThrow(InputError);
    await expect(wrongKind.write(itemOf(frames.chunk, { audio: frames }))).rejects.toThrow(
      /input "audio" of chunk 0: expected audio, got video/,
    );
    await wrongKind.abort();

    const gap = await createSink(wavSink, {}, { outDir, outputName: 'y' });
    await gap.write(itemOf(a.chunk, { audio: a }));
    await expect(gap.write(itemOf(b.chunk, { audio: { ...b, startSample: b.startSample + 5 } }))).rejects.toThrow(
      /a gap of 5/,
    );
    await gap.abort();

    const format = await createSink(wavSink, {}, { outDir, outputName: 'z' });
    await format.write(itemOf(a.chunk, { audio: a }));
    const err = await format.write(itemOf(b.chunk, { audio: { ...b, sampleRate: 22050 } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MediaError);
    expect((err as Error).message).toMatch(/22050 Hz × 1 channels, but the stream began at 16000 Hz/);
    expect((err as Error).message).not.toMatch(/stage/);
    await format.abort();
    await format.abort();
    expect(await readdir(outDir)).toEqual([]);
  });
});

describe('mp4-sink', () => {
  it('muxes items whose audio and frames are cut at different places, the audio running on past the frames', async () => {
    const outDir = tmp.path('mp4');
    const logs: string[] = [];
    const sink = await createSink(
      mp4Sink,
      { preset: 'ultrafast' },
      { outDir, outputName: 'video', log: (l) => logs.push(l) },
    );
    // Frames on a 1 s grid (3 s); audio cut at silences off the grid and 0.4 s longer.
    const frames = frameChunks(1, 3 * FPS);
    const audio = audioChunks([0.62, 2.31, 3.4]);
    await writeAll(sink, items(frames, audio));
    await sink.finish();
    await sink.commit();
    const info = ffprobeJson(join(outDir, 'video.mp4'));
    const v = info.streams.find((s) => s.codec_type === 'video')! as unknown as {
      duration: string;
      width: number;
      height: number;
    };
    const a = info.streams.find((s) => s.codec_type === 'audio')! as unknown as {
      duration: string;
      sample_rate: string;
    };
    expect(Math.abs(Number(v.duration) - 3)).toBeLessThan(1 / FPS + 1e-3);
    expect(Number(a.duration)).toBeGreaterThan(3.3);
    expect([v.width, v.height, a.sample_rate]).toEqual([W, H, String(RATE)]);
    expect(logs).toEqual([expect.stringMatching(/soundtrack is 3\.400 s but the video 3\.000 s$/)]);
  }, 20_000);

  it('writes silence for frames the soundtrack no longer reaches', async () => {
    const outDir = tmp.path('mp4-silence');
    const logs: string[] = [];
    const sink = await createSink(
      mp4Sink,
      { preset: 'ultrafast' },
      { outDir, outputName: 'video', log: (l) => logs.push(l) },
    );
    await writeAll(sink, items(frameChunks(1, 4 * FPS), audioChunks([1, 2])));
    await sink.finish();
    await sink.commit();
    const a = ffprobeJson(join(outDir, 'video.mp4')).streams.find((s) => s.codec_type === 'audio')! as unknown as {
      duration: string;
    };
    expect(Math.abs(Number(a.duration) - 4)).toBeLessThan(0.1);
    expect(logs).toEqual([
      expect.stringMatching(/soundtrack is 2\.000 s but the video 4\.000 s \(2\.000 s of silence added/),
    ]);
  }, 20_000);

  it('abort mid-stream kills ffmpeg and leaves nothing; abort is safe twice and after finish', async () => {
    const outDir = tmp.path('mp4-abort');
    const sink = await createSink(mp4Sink, { preset: 'ultrafast' }, { outDir, outputName: 'video' });
    const list = items(frameChunks(1, 4 * FPS), audioChunks([1, 2, 3, 4]));
    await writeAll(sink, list.slice(0, 2));
    expect(ffmpegChildren().length).toBe(1);
    await Promise.all([sink.abort(), sink.abort()]);
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(outDir)).toEqual([]);
    await expect(sink.write(list[2])).rejects.toThrow(CancelledError);

    const finished = await createSink(mp4Sink, { preset: 'ultrafast' }, { outDir, outputName: 'video' });
    await writeAll(finished, list);
    await finished.finish();
    expect((await readdir(outDir)).length).toBe(1); // the temp file, waiting for commit
    await finished.abort();
    await finished.abort();
    expect(await readdir(outDir)).toEqual([]);
    expect(finished.files()).toEqual([]);
  }, 20_000);

  it('refuses an item without frames, and a soundtrack that starts after the first item', async () => {
    const outDir = tmp.path('mp4-bad');
    const [a0, a1] = audioChunks([1, 2]);
    const [f0, f1] = frameChunks(1, 2 * FPS);
    const noFrames = await createSink(mp4Sink, {}, { outDir, outputName: 'a' });
    await expect(noFrames.write(itemOf(a0.chunk, { audio: a0 }))).rejects.toThrow(
      /input "frames" of chunk 0: expected video, got nothing/,
    );
    await noFrames.abort();
    const late = await createSink(mp4Sink, {}, { outDir, outputName: 'b' });
    await late.write(itemOf(f0.chunk, { frames: f0 }));
    await expect(late.write(itemOf(f1.chunk, { frames: f1, audio: a1 }))).rejects.toThrow(
      /audio began at chunk 1, but the file was opened without sound/,
    );
    await late.abort();
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(outDir)).toEqual([]);
  }, 20_000);
});
