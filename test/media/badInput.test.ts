/**
 * A corpus of broken and awkward files, made here. Each must give a MediaError naming the file
 * and saying what is wrong (with ffmpeg's own reason where ffmpeg gave one) — within seconds,
 * never a hang — and awkward names must work as plain file names, never as ffmpeg options.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/core/errors.ts';
import { decodeAudio } from '../../src/media/decodeAudio.ts';
import { decodeVideo } from '../../src/media/decodeVideo.ts';
import { probe } from '../../src/media/probe.ts';
import { writeWav } from '../../src/media/wavWriter.ts';
import { writeMp4 } from '../../src/media/mp4Writer.ts';
import { avMp4, colorMp4, collect, ffprobeJson, sineWav, tempDir } from './makeMedia.ts';

/** A RIFF/WAVE header whose format tag no decoder knows. */
function unknownCodecWav(): Buffer {
  const data = Buffer.alloc(1600);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(0x9999, 20); // format tag: unassigned
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

async function failure(run: () => Promise<unknown>): Promise<MediaError> {
  const started = Date.now();
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(5000);
  expect(err).toBeInstanceOf(MediaError);
  return err as MediaError;
}

const decodeAll = (file: string) => () => collect(decodeAudio(file, { sampleRate: 16000, channels: 1 }));

describe('broken media', () => {
  const tmp = tempDir('bad');
  const f: Record<string, string> = {};
  beforeAll(() => {
    const av = avMp4(tmp.path('av.mp4'), { seconds: 2 });
    const avFast = avMp4(tmp.path('av-faststart.mp4'), { seconds: 2, faststart: true });
    f.missing = tmp.path('missing.wav');
    f.empty = tmp.path('empty.wav');
    writeFileSync(f.empty, '');
    f.folder = tmp.path('folder.wav');
    mkdirSync(f.folder);
    f.text = tmp.path('notes.wav');
    writeFileSync(f.text, 'these are my notes, not audio\n'.repeat(20));
    // Cut before the moov atom (written last without faststart): nothing describes the streams.
    f.truncatedMoov = tmp.path('cut-moov.mp4');
    writeFileSync(f.truncatedMoov, readFileSync(av).subarray(0, 20000));
    // Faststart, cut inside mdat: the header promises samples that are not there.
    f.truncatedData = tmp.path('cut-data.mp4');
    writeFileSync(f.truncatedData, readFileSync(avFast).subarray(0, 20000));
    f.silentVideo = colorMp4(tmp.path('silent.mp4'), { color: 'red', seconds: 1, size: '32x32', fps: 10 });
    f.unknownCodec = tmp.path('odd-codec.wav');
    writeFileSync(f.unknownCodec, unknownCodecWav());
    f.audioOnly = sineWav(tmp.path('tone.wav'), { freq: 440, rate: 8000, seconds: 0.5 });
  });
  afterAll(() => tmp.remove());

  it('missing file', async () => {
    const e = await failure(decodeAll(f.missing));
    expect(e.message).toBe(`${f.missing}: file not found`);
    expect((await failure(() => probe(f.missing))).message).toMatch(/missing\.wav: file not found/);
  });

  it('empty file', async () => {
    expect((await failure(decodeAll(f.empty))).message).toMatch(/empty\.wav: file is empty/);
    expect((await failure(() => probe(f.empty))).message).toMatch(/empty\.wav: file is empty/);
  });

  it('a folder', async () => {
    expect((await failure(decodeAll(f.folder))).message).toMatch(/folder\.wav: is a folder/);
  });

  it('a text file renamed .wav', async () => {
    const e = await failure(decodeAll(f.text));
    expect(e.message).toMatch(/notes\.wav: not a media file ffmpeg can read/);
    expect(e.ffmpegReason).toBe('Invalid data found when processing input');
    expect((await failure(() => probe(f.text))).message).toMatch(/notes\.wav: not a media file/);
  });

  it('an mp4 cut before its moov atom', async () => {
    const e = await failure(decodeAll(f.truncatedMoov));
    expect(e.message).toMatch(/cut-moov\.mp4: file is truncated or incomplete/);
    expect(e.ffmpegReason).toMatch(/moov atom not found/);
  });

  it('an mp4 cut inside its data, though ffmpeg itself exits 0', async () => {
    const e = await failure(decodeAll(f.truncatedData));
    expect(e.message).toMatch(/cut-data\.mp4: file is truncated or incomplete/);
    expect(e.ffmpegReason).toBeTruthy();
  });

  it('asking audio from a video without sound', async () => {
    const e = await failure(decodeAll(f.silentVideo));
    expect(e.message).toMatch(/silent\.mp4: has no audio stream/);
    expect(e.ffmpegReason).toMatch(/matches no streams/);
  });

  it('asking video from an audio file', async () => {
    const e = await failure(() => collect(decodeVideo(f.audioOnly, { fps: 10 })));
    expect(e.message).toMatch(/tone\.wav: has no video stream/);
  });

  it('a codec this ffmpeg cannot decode', async () => {
    const e = await failure(decodeAll(f.unknownCodec));
    expect(e.message).toMatch(/odd-codec\.wav: unsupported codec/);
    expect(e.ffmpegReason).toMatch(/Decoder .* not found/);
  });

  it('a missing ffmpeg binary (FFMPEG_PATH) is named, with the variable to fix', async () => {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = tmp.path('no-ffmpeg-here');
    try {
      const e = await failure(decodeAll(f.audioOnly));
      expect(e.message).toMatch(/tone\.wav: could not start .*no-ffmpeg-here.*FFMPEG_PATH/);
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});

describe('awkward file names', () => {
  const tmp = tempDir('names');
  let source: string;
  beforeAll(() => {
    source = sineWav(tmp.path('plain.wav'), { freq: 440, rate: 8000, seconds: 0.5 });
  });
  afterAll(() => tmp.remove());

  const names = [
    'with spaces.wav',
    'ünïcødé 音声.wav',
    `quo"tes 'and' apos.wav`,
    '-leading-dash.wav',
    '-y.wav',
    'colon:proto.wav',
    'percent %d.wav',
  ];
  for (const name of names) {
    it(`reads and writes "${name}"`, async () => {
      const input = tmp.path(name);
      copyFileSync(source, input);
      expect((await probe(input)).audio?.sampleRate).toBe(8000);
      const out = tmp.path(`out ${name}`);
      await writeWav(out, decodeAudio(input, { sampleRate: 8000, channels: 1 }), { sampleRate: 8000, channels: 1 });
      expect(Number(ffprobeJson(out).format.duration)).toBeCloseTo(0.5, 3);
    });
  }

  it('a relative name starting with a dash is not an ffmpeg option', async () => {
    const dir = process.cwd();
    process.chdir(tmp.dir);
    try {
      copyFileSync(source, '-i');
      const blocks = await collect(decodeAudio('-i', { sampleRate: 8000, channels: 1 }));
      expect(blocks.reduce((n, b) => n + b.length, 0)).toBe(4000);
      // ffmpeg would treat "-y" as "overwrite"; here it is the output's name.
      await writeMp4(
        '-y.mp4',
        {
          video: (async function* () {
            yield new Uint8Array(16 * 16 * 3);
          })(),
        },
        { width: 16, height: 16, fps: 1, preset: 'ultrafast' },
      );
      expect(ffprobeJson(tmp.path('-y.mp4')).streams[0].codec_name).toBe('h264');
    } finally {
      process.chdir(dir);
    }
  });
});
