/**
 * What users hit when things go wrong: a cancelled run leaves no output and no ffmpeg child; a
 * corrupt input fails the run with a StageError naming the file; names with spaces, unicode and
 * a leading dash work as inputs and outputs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, EXIT, StageError } from '../../../src/core/errors.ts';
import { mp4Sink, wavSink } from '../../../stages/media/sinks.ts';
import { audioSource, videoSource } from '../../../stages/media/sources.ts';
import { avMp4, ffmpeg, tempDir } from '../../media/makeMedia.ts';
import { ffmpegChildren, ffmpegDecode, node, runMedia } from './helpers.ts';

const tmp = tempDir('media-failures');
let long: string;
let clip: string;

beforeAll(() => {
  long = tmp.path('long.wav');
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=16000:duration=120', long);
  clip = avMp4(tmp.path('clip.mp4'), { seconds: 12, size: '64x48', fps: 25 });
});
afterAll(() => tmp.remove());

const CHUNKS = { seconds: 1, silenceSearchSeconds: 0 };

describe('cancellation', () => {
  it('audio-source → wav-sink: an AbortSignal mid-run leaves no file and no ffmpeg child', async () => {
    const out = tmp.path('cancel-wav');
    const controller = new AbortController();
    let childrenAtAbort: number[] = [];
    const run = runMedia({
      nodes: { voice: node(audioSource), sink: node(wavSink, {}, 'speech') },
      edges: ['voice.audio -> sink.audio'],
      chunking: CHUNKS,
      inputs: { voice: long },
      outDir: out,
      signal: controller.signal,
      onChunk: (stage, chunk) => {
        if (stage !== 'sink' || chunk.index !== 3) return;
        childrenAtAbort = ffmpegChildren();
        controller.abort();
      },
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CancelledError);
    expect((err as CancelledError).exitCode).toBe(EXIT.interrupted);
    expect(childrenAtAbort.length).toBe(1); // the decoder, paused mid-file
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });

  it('video + audio → mp4-sink: cancelled mid-run, the encoder and decoders are gone and no mp4 appears', async () => {
    const out = tmp.path('cancel-mp4');
    const controller = new AbortController();
    let childrenAtAbort: number[] = [];
    const run = runMedia({
      nodes: {
        face: node(videoSource),
        voice: node(audioSource),
        sink: node(mp4Sink, { preset: 'ultrafast' }, 'video'),
      },
      edges: ['face.frames -> sink.frames', 'voice.audio -> sink.audio'],
      chunking: CHUNKS,
      inputs: { face: clip, voice: clip },
      outDir: out,
      signal: controller.signal,
      onChunk: (stage, chunk) => {
        if (stage !== 'sink' || chunk.index !== 2) return;
        childrenAtAbort = ffmpegChildren();
        controller.abort();
      },
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CancelledError);
    // The encoder at least (a decoder may already have reached its file's end on a busy machine);
    // what matters is that every one of them is gone afterwards.
    expect(childrenAtAbort.length).toBeGreaterThanOrEqual(1);
    expect(ffmpegChildren()).toEqual([]);
    expect(await readdir(out)).toEqual([]);
  });
});

describe('bad input', () => {
  it('fails on a corrupt file with a StageError naming the stage and the file, and writes nothing', async () => {
    const bad = tmp.path('corrupt take.wav');
    writeFileSync(bad, Buffer.concat([Buffer.from('RIFF\x24\x00\x00\x00WAVEfmt '), randomBytes(4000)]));
    const out = tmp.path('out-bad');
    const err = await runMedia({
      nodes: { voice: node(audioSource), sink: node(wavSink, {}, 'speech') },
      edges: ['voice.audio -> sink.audio'],
      chunking: CHUNKS,
      inputs: { voice: bad },
      outDir: out,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(StageError);
    expect((err as StageError).exitCode).toBe(EXIT.runtime);
    expect((err as StageError).message).toContain('stage "voice"');
    expect((err as StageError).message).toContain(bad);
    expect(ffmpegChildren()).toEqual([]);
    expect(existsSync(join(out, 'speech.wav'))).toBe(false);
  });

  it('fails on a video with no sound bound to an audio source, saying what is missing', async () => {
    const silent = tmp.path('silent.mp4');
    ffmpeg(
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=32x32:rate=10:duration=1',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      silent,
    );
    const err = await runMedia({
      nodes: { voice: node(audioSource), sink: node(wavSink, {}, 'speech') },
      edges: ['voice.audio -> sink.audio'],
      chunking: CHUNKS,
      inputs: { voice: silent },
      outDir: tmp.path('out-silent'),
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(StageError);
    expect(err?.message).toMatch(/silent\.mp4: has no audio stream/);
  });

  it('reads and writes names with spaces, unicode and a leading dash', async () => {
    const dir = tmp.path('a folder ü');
    mkdirSync(dir);
    const input = join(dir, '-voice take é.wav');
    ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=600:sample_rate=8000:duration=2.5', '-c:a', 'pcm_f32le', input);
    const out = join(dir, 'out dir');
    const result = await runMedia({
      nodes: {
        voice: node(audioSource),
        sink: node(wavSink, { file: '-out put ü.wav', sampleFormat: 'f32' }, 'speech'),
      },
      edges: ['voice.audio -> sink.audio'],
      chunking: CHUNKS,
      inputs: { voice: input },
      outDir: out,
    });
    expect(result.files.speech).toEqual([join(out, '-out put ü.wav')]);
    expect(Array.from(ffmpegDecode(result.files.speech[0]))).toEqual(Array.from(ffmpegDecode(input)));
  });
});
