/**
 * audio-source → wav-sink through the real runtime: chunked on the grid with silence search, the
 * output equals a plain ffmpeg decode sample for sample; boundaries follow a declared granularity;
 * a whole input is one packet; a whole input too long to hold is refused by name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StageCreateContext } from '../../../src/core/stage.ts';
import type { AudioPacket, ChunkInfo } from '../../../src/core/types.ts';
import { loadGraph } from '../../../src/cli/pipeline.ts';
import { runPipeline } from '../../../src/runtime/index.ts';
import { audioSource } from '../../../stages/media/sources.ts';
import { wavSink } from '../../../stages/media/sinks.ts';
import { testContext } from '../../helpers/stage-harness.ts';
import { collect, ffmpeg, ffprobeJson, tempDir, zeroCrossingFrequency } from '../../media/makeMedia.ts';
import { ffmpegDecode, gridStage, node, runMedia } from './helpers.ts';

const RATE = 16000;
const SECONDS = 37.3;
// Quiet stretches near the first two grid targets (10 s, 20 s): the cuts must land in them.
const GAPS = [
  [9.42, 9.6],
  [20.5, 20.66],
];

const tmp = tempDir('audio-source');
let sine: string;

beforeAll(() => {
  sine = tmp.path('sine 37.3s.wav');
  const gaps = GAPS.map(([a, b]) => `between(t,${a},${b})`).join('+');
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=${RATE}:duration=${SECONDS}`,
    '-af',
    `volume=enable='${gaps}':volume=0`,
    sine,
  );
});
afterAll(() => tmp.remove());

function boundaries(chunks: ChunkInfo[]): number[] {
  return chunks.slice(1).map((c) => c.start);
}

describe('audio-source → wav-sink', () => {
  it('cuts 10 s chunks at the silences and writes exactly the decoded samples (f32)', async () => {
    const out = tmp.path('out-f32');
    const chunks: ChunkInfo[] = [];
    const result = await runMedia({
      nodes: { voice: node(audioSource), sink: node(wavSink, { sampleFormat: 'f32' }, 'speech') },
      edges: ['voice.audio -> sink.audio'],
      chunking: { seconds: 10, silenceSearchSeconds: 1 },
      inputs: { voice: sine },
      outDir: out,
      onChunk: (stage, chunk) => stage === 'sink' && chunks.push(chunk),
    });
    expect(result.files.speech).toEqual([join(out, 'speech.wav')]);
    expect(await readdir(out)).toEqual(['speech.wav']);
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3]);
    expect(chunks.at(-1)!.last).toBe(true);
    expect(chunks.at(-1)!.end * RATE).toBeCloseTo(SECONDS * RATE, 6);
    const cuts = boundaries(chunks);
    GAPS.forEach(([a, b], i) => {
      expect(cuts[i]).toBeGreaterThanOrEqual(a);
      expect(cuts[i]).toBeLessThanOrEqual(b);
    });
    const expected = ffmpegDecode(sine);
    // Around 30 s the sine is unbroken: the cut is the quietest 10 ms within ±1 s, no louder than the grid point.
    expect(Math.abs(cuts[2] - 30)).toBeLessThanOrEqual(1);
    const loudness = (t: number) =>
      expected.subarray(Math.round(t * RATE) - 80, Math.round(t * RATE) + 80).reduce((s, x) => s + Math.abs(x), 0);
    expect(loudness(cuts[2])).toBeLessThanOrEqual(loudness(30));
    const written = ffmpegDecode(result.files.speech[0]);
    expect(expected.length).toBe(Math.round(SECONDS * RATE));
    expect(written.length).toBe(expected.length);
    expect(Buffer.from(written.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
  });

  it('writes 16-bit PCM within one step of the source and keeps the rate', async () => {
    const out = tmp.path('out-s16');
    const result = await runMedia({
      nodes: { voice: node(audioSource), sink: node(wavSink, {}, 'speech') },
      edges: ['voice.audio -> sink.audio'],
      chunking: { seconds: 10, silenceSearchSeconds: 1 },
      inputs: { voice: sine },
      outDir: out,
    });
    const info = ffprobeJson(result.files.speech[0]).streams[0];
    expect(info.codec_name).toBe('pcm_s16le');
    expect(info.sample_rate).toBe(String(RATE));
    const expected = ffmpegDecode(sine);
    const written = ffmpegDecode(result.files.speech[0]);
    expect(written.length).toBe(expected.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(written[i] - expected[i]));
    expect(worst).toBeLessThanOrEqual(1.01 / 32768);
  });

  it('puts every boundary on the 0.02 s grid a downstream stage declares, at 44.1 kHz', async () => {
    const file = tmp.path('sine44.wav');
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:sample_rate=44100:duration=7.77',
      '-af',
      "volume=enable='between(t,2.9,3.05)':volume=0",
      file,
    );
    const chunks: ChunkInfo[] = [];
    const result = await runMedia({
      nodes: {
        voice: node(audioSource),
        grid: node(gridStage),
        sink: node(wavSink, { sampleFormat: 'f32' }, 'speech'),
      },
      edges: ['voice.audio -> grid.in', 'grid.out -> sink.audio'],
      chunking: { seconds: 2.5, silenceSearchSeconds: 0.6 },
      inputs: { voice: file },
      outDir: tmp.path('out-grid'),
      onChunk: (stage, chunk) => stage === 'sink' && chunks.push(chunk),
    });
    expect(chunks.length).toBe(4);
    for (const t of boundaries(chunks)) expect(Math.abs(t * 50 - Math.round(t * 50))).toBeLessThan(1e-9);
    // 2.5 s rounds up to 2.52 s (126 granules); the first cut moved into the gap at 2.9–3.05 s.
    expect(boundaries(chunks)[0]).toBeGreaterThanOrEqual(2.9);
    expect(boundaries(chunks)[0]).toBeLessThanOrEqual(3.05);
    expect(ffmpegDecode(result.files.speech[0]).length).toBe(ffmpegDecode(file).length);
  });

  it('runs the audio-copy YAML pipeline: same samples out, under the output name', async () => {
    const { graph } = await loadGraph(
      new URL('../../fixtures/pipelines/media/audio-copy.yaml', import.meta.url).pathname,
    );
    const out = tmp.path('out-yaml');
    const result = await runPipeline(graph, { inputs: { voice: sine }, outDir: out, workers: false });
    expect(result.files.copy).toEqual([join(out, 'copy.wav')]);
    expect(ffmpegDecode(result.files.copy[0]).length).toBe(Math.round(SECONDS * RATE));
  });

  it('resamples in the sink when sampleRate is set, keeping pitch and length', async () => {
    const file = tmp.path('tone16k.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=2.5', file);
    const result = await runMedia({
      nodes: { voice: node(audioSource), sink: node(wavSink, { sampleRate: 24000, sampleFormat: 'f32' }, 'speech') },
      edges: ['voice.audio -> sink.audio'],
      chunking: { seconds: 1, silenceSearchSeconds: 0 },
      inputs: { voice: file },
      outDir: tmp.path('out-resample'),
    });
    expect(ffprobeJson(result.files.speech[0]).streams[0].sample_rate).toBe('24000');
    const written = ffmpegDecode(result.files.speech[0]);
    expect(written.length).toBe(2.5 * 24000);
    expect(zeroCrossingFrequency(written.subarray(1000, 59000), 24000)).toBeCloseTo(440, 0);
  });

  it('sends a whole input as one packet holding every sample, down-mixed or not', async () => {
    const stereo = tmp.path('stereo.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=22050:duration=3.21', '-ac', '2', stereo);
    const ctx = testContext(audioSource, {
      id: 'voice',
      inputPath: stereo,
      wholeInput: true,
      tempDir: '/tmp/reel-run-x',
    });
    for (const channels of [1, 2]) {
      const instance = await audioSource.create!(audioSource.options.parse({ channels }), ctx);
      const packets = await collect(instance.packets);
      await instance.dispose();
      expect(packets.length).toBe(1);
      const p = packets[0].packet as AudioPacket;
      expect(p.chunk).toMatchObject({ clipId: 'reel-run-x', index: 0, start: 0, last: true });
      expect(p.channels).toBe(channels);
      expect(p.data.length / channels).toBe(Math.round(3.21 * 22050));
      expect(p.chunk.end * 22050).toBeCloseTo(p.data.length / channels, 6);
      expect(Array.from(p.data.subarray(0, 400))).toEqual(
        Array.from(ffmpegDecode(stereo, { channels }).subarray(0, 400)),
      );
    }
  });

  it('refuses a whole input longer than 10 minutes, naming the file and the fix', async () => {
    const long = tmp.path('eleven minutes.wav');
    ffmpeg('-f', 'lavfi', '-i', 'anullsrc=r=8000:cl=mono', '-t', '660', long);
    const ctx = testContext(audioSource, { id: 'voice', inputPath: long, wholeInput: true });
    const err = await audioSource.create!(audioSource.options.parse({}), ctx).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toContain(long);
    expect(err?.message).toMatch(/11\.0 min.*at most 10\.0 min.*trim it/);
  });

  it('refuses a truncated WAV when created, and says once when a compressed file decodes well short of its declared length', async () => {
    const whole = tmp.path('tone.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=300:d=6', '-ar', '16000', whole);
    const cut = tmp.path('tone cut.wav');
    writeFileSync(cut, readFileSync(whole).subarray(0, 80_000));
    const ctxFor = (inputPath: string, log: (line: string) => void = () => {}): StageCreateContext =>
      testContext(audioSource, { id: 'voice', log, inputPath, chunking: { seconds: 2, silenceSearchSeconds: 0 } });
    await expect(audioSource.create!(audioSource.options.parse({}), ctxFor(cut))).rejects.toThrow(
      /tone cut\.wav: is truncated: its header declares 6\.000 s of audio but the file holds 2\.49\d s/,
    );

    const mp3 = tmp.path('tone.mp3');
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=300:d=6', '-ar', '16000', mp3);
    const mp3Cut = tmp.path('tone cut.mp3');
    writeFileSync(mp3Cut, readFileSync(mp3).subarray(0, Math.floor(readFileSync(mp3).length / 3)));
    const lines: string[] = [];
    const instance = await audioSource.create!(
      audioSource.options.parse({}),
      ctxFor(mp3Cut, (line) => lines.push(line)),
    );
    const packets = await collect(instance.packets);
    await instance.dispose();
    expect(packets.length).toBeGreaterThan(0);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /tone cut\.mp3: decoded [\d.]+ s of the 6\.\d+ s its container declares — the file may be truncated/,
    );
  });
});
