/**
 * voice-convert with `--profile pauses` (Silero VAD finds the speech, `rvc` converts only it) on a recording of
 * espeak-ng sentences between 3 s of digital silence: the output is exactly as long as a run that
 * converts everything, matches it where there is speech (a range is converted with its own context,
 * so its pitch track's high-pass filter starts elsewhere: equal within a few 1e-3), and is the input
 * itself (silence) in the pauses — where converting would have made the random model's noise.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { readRecordedFeeds, recordedFeedsDir } from '../../src/inference/feed-recorder.ts';
import { resolveFfmpeg } from '../../src/media/binaries.ts';
import type { RunMetrics } from '../../src/metrics/stage-metrics.ts';
import { runVoiceConvert } from '../helpers/cli.ts';

const RATE = 40000;
let dir: string;
let clip: string;
/** Where the sentences are, seconds (measured on the espeak-ng output). */
const sentences: [number, number][] = [];

/** 16-bit PCM samples of a WAV file written by reel (44-byte header). */
function pcm(buffer: Buffer): Float32Array {
  const n = (buffer.length - 44) / 2;
  return Float32Array.from({ length: n }, (_, i) => buffer.readInt16LE(44 + 2 * i) / 32768);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reel-skip-silence-'));
  const { ffmpeg } = resolveFfmpeg();
  const parts: Buffer[] = [];
  let at = 0;
  const silence = Buffer.alloc(3 * 16000 * 2);
  for (const [i, text] of [
    'Converting only the speech saves time',
    'and keeps the pauses exactly as they were',
  ].entries()) {
    parts.push(silence);
    at += 3;
    const wav = join(dir, `s${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', wav, text]);
    const said = execFileSync(ffmpeg, [
      '-loglevel',
      'error',
      '-i',
      wav,
      '-ar',
      '16000',
      '-ac',
      '1',
      '-f',
      's16le',
      '-',
    ]);
    // The silence espeak-ng puts around what it says is not speech: cut it off.
    let first = 0;
    let end = said.length / 2;
    while (first < end && Math.abs(said.readInt16LE(2 * first)) < 33) first++;
    while (end > first && Math.abs(said.readInt16LE(2 * (end - 1))) < 33) end--;
    const raw = said.subarray(2 * first, 2 * end);
    parts.push(raw);
    sentences.push([at, at + raw.length / 2 / 16000]);
    at += raw.length / 2 / 16000;
  }
  parts.push(silence);
  clip = join(dir, 'talk.wav');
  execFileSync(ffmpeg, ['-loglevel', 'error', '-f', 's16le', '-ar', '16000', '-ac', '1', '-i', 'pipe:0', clip], {
    input: Buffer.concat(parts),
  });
});

function convert(name: string, skip: boolean) {
  const r = runVoiceConvert(dir, name, clip, skip ? ['--profile', 'pauses'] : []);
  expect(r.code, r.stderr).toBe(0);
  return r;
}

describe('voice-convert --profile pauses', () => {
  it('converts the speech as a full run does and passes the pauses through', async () => {
    const skip = convert('skip', true);
    const full = convert('full', false);
    const a = pcm(await readFile(join(skip.out, 'converted.wav')));
    const b = pcm(await readFile(join(full.out, 'converted.wav')));
    expect(a.length).toBe(b.length);
    const total = sentences[sentences.length - 1][1] + 3;
    expect(Math.abs(a.length - total * RATE)).toBeLessThanOrEqual(1);

    const speech = (t: number) => sentences.some(([s, e]) => t >= s - 0.5 && t < e + 0.5);
    let pauseSamples = 0;
    let speechSamples = 0;
    let worst = 0;
    let diff2 = 0;
    let ref2 = 0;
    for (let i = 0; i < a.length; i++) {
      const t = i / RATE;
      if (sentences.some(([s, e]) => t >= s + 0.1 && t < e - 0.1)) {
        speechSamples++;
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
        diff2 += (a[i] - b[i]) ** 2;
        ref2 += b[i] ** 2;
      } else if (!speech(t)) {
        pauseSamples++;
        expect(a[i]).toBe(0); // the input's digital silence, not the converter's noise
      }
    }
    expect(speechSamples).toBeGreaterThan(2 * RATE);
    expect(worst).toBeLessThan(0.02);
    expect(Math.sqrt(diff2 / ref2)).toBeLessThan(0.01);
    expect(pauseSamples).toBeGreaterThan(5 * RATE);
    // The full run did convert the pauses: its output there is not silent.
    let loud = 0;
    for (let i = 0; i < RATE; i++) loud += Math.abs(b[i]);
    expect(loud / RATE).toBeGreaterThan(0.01);

    const metrics = JSON.parse(await readFile(skip.metrics, 'utf8')) as RunMetrics;
    expect(metrics.stages.map((s) => s.stage)).toContain('speech');
  });

  it('converts each speech range with skipContextMs of context where it meets a pause', async () => {
    const model = await ensureReferenceModel('rvc');
    // The synthesizer's calls, as recorded by the feed recorder (every one: max 1000): frames each.
    const calls = (ms: number) => {
      const request = { dir: join(dir, `feeds-${ms}`), models: [model], max: 1000 };
      const r = runVoiceConvert(
        dir,
        `context-${ms}`,
        clip,
        ['--profile', 'pauses', '--mode', 'sequential', '--set', `stages.convert.options.skipContextMs=${ms}`],
        { REEL_RECORD_FEEDS: JSON.stringify(request) },
      );
      expect(r.code, r.stderr).toBe(0);
      return readRecordedFeeds(recordedFeedsDir(request, 0)).map((feeds) => feeds.phone.dims[1]);
    };
    const wide = calls(1000);
    const narrow = calls(0);
    // The same ranges, each converted over fewer frames: 100 frames (1 s) fewer on every side that
    // meets a pause — at least one side of each sentence (its other side may be a chunk's edge).
    expect(narrow.length).toBe(wide.length);
    expect(narrow.length).toBeGreaterThanOrEqual(sentences.length);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(wide) - sum(narrow)).toBeGreaterThanOrEqual(100 * sentences.length);
    narrow.forEach((t, i) => expect(t).toBeLessThanOrEqual(wide[i]));
  });

  it('chunking.splitAt: vad moves the cuts to pauses and keeps the length exact', async () => {
    const grid = ['--set', 'chunking.seconds=5'];
    const cut = runVoiceConvert(dir, 'vad-cuts', clip, [...grid, '--set', 'chunking.splitAt=vad']);
    expect(cut.code, cut.stderr).toBe(0);
    const line = /chunking: (\d+) of 2 cuts in a pause \(Silero VAD\)/.exec(cut.stdout + cut.stderr);
    expect(line, cut.stdout + cut.stderr).not.toBeNull();
    expect(Number(line![1])).toBeGreaterThanOrEqual(1);
    const plain = runVoiceConvert(dir, 'grid-cuts', clip, grid);
    expect(plain.code, plain.stderr).toBe(0);
    const a = pcm(await readFile(join(cut.out, 'converted.wav')));
    const b = pcm(await readFile(join(plain.out, 'converted.wav')));
    expect(a.length).toBe(b.length);
  });
});
