/**
 * A truncated WAV is told from a whole one by its RIFF header (ffprobe reports only what is there);
 * a compressed file cut short is noticed after decoding, against its container's declared length.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { probe, resolveFfmpeg, shortDecodeNote, truncatedWavError, wavTruncation } from '../../src/media/index.ts';
import { ffmpeg, sineWav, tempDir } from './makeMedia.ts';

const tmp = tempDir('wav-truncation');
afterAll(() => tmp.remove());

describe('truncated WAV files', () => {
  it('declare more audio in their header than the file holds; whole ones, streamed ones and other formats do not', async () => {
    const whole = sineWav(tmp.path('whole.wav'), { freq: 440, rate: 16000, seconds: 10 });
    const bytes = readFileSync(whole);
    const cut = tmp.path('cut short ü.wav');
    writeFileSync(cut, bytes.subarray(0, 100_000));
    const t = await wavTruncation(cut);
    expect(t?.declaredSeconds).toBeCloseTo(10, 6);
    // What is left after the header, at 32,000 bytes per second.
    expect(t?.presentSeconds).toBeCloseTo((100_000 - (bytes.length - 320_000)) / 32_000, 6);
    expect((await probe(cut)).truncated).toEqual(t);

    expect(await wavTruncation(whole)).toBeUndefined();
    expect((await probe(whole)).truncated).toBeUndefined();
    // Written to a pipe, ffmpeg cannot go back to fill in the sizes: unknown, not truncated.
    const streamed = tmp.path('streamed.wav');
    const piped = spawnSync(resolveFfmpeg().ffmpeg, [
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=f=300:d=2',
      '-ar',
      '16000',
      '-f',
      'wav',
      'pipe:1',
    ]);
    writeFileSync(streamed, piped.stdout);
    expect(piped.stdout.readUInt32LE(4)).toBe(0xffffffff); // RIFF size left unknown
    expect(await wavTruncation(streamed)).toBeUndefined();
    const mp3 = tmp.path('tone.mp3');
    ffmpeg('-f', 'lavfi', '-i', 'sine=f=300:d=2', mp3);
    expect(await wavTruncation(mp3)).toBeUndefined();
  });

  it('a header that declares less than the audio after it is refused too; chunks after the audio are not', async () => {
    const whole = sineWav(tmp.path('whole-3s.wav'), { freq: 440, rate: 16000, seconds: 3 });
    const bytes = readFileSync(whole);
    const dataAt = bytes.indexOf('data');
    const understated = Buffer.from(bytes);
    understated.writeUInt32LE(96, dataAt + 4); // 3 ms of 16-bit mono at 16 kHz
    const file = tmp.path('understated.wav');
    writeFileSync(file, understated);
    const t = await wavTruncation(file);
    expect(t).toMatchObject({ declaredBytes: 96, presentBytes: 96_000 });
    expect(truncatedWavError(file, t!).message).toBe(
      `${file}: has a wrong header: it declares 0.003 s of audio but 3.000 s follow it (the header was written before the recording ended); re-save it with the whole audio: ffmpeg -ignore_length 1 -i IN OUT.wav`,
    );
    // A LIST chunk after the audio is metadata, not audio.
    const list = Buffer.alloc(8 + 26);
    list.write('LIST', 0);
    list.writeUInt32LE(26, 4);
    list.write('INFOISFT', 8);
    const tagged = tmp.path('tagged.wav');
    writeFileSync(tagged, Buffer.concat([bytes, list]));
    expect(await wavTruncation(tagged)).toBeUndefined();
    // One sample short: told in bytes, since both round to the same milliseconds.
    const short = tmp.path('one sample short.wav');
    writeFileSync(short, bytes.subarray(0, bytes.length - 2));
    expect(truncatedWavError(short, (await wavTruncation(short))!).message).toMatch(
      /declares 96000 bytes of audio but the file holds 95998 bytes/,
    );
  });

  it('a compressed file decoding well short of its declared length gets one line; estimates within 1 s or 5% do not', () => {
    expect(shortDecodeNote('talk.mp3', 4.863, 10.08)).toBe(
      'talk.mp3: decoded 4.863 s of the 10.080 s its container declares — the file may be truncated or damaged; the output follows what decoded',
    );
    expect(shortDecodeNote('talk.mp3', 9.3, 10.08)).toBeUndefined();
    expect(shortDecodeNote('long.mp3', 570, 600)).toBeUndefined();
    expect(shortDecodeNote('long.mp3', 560, 600)).toMatch(/decoded 560\.000 s of the 600\.000 s/);
    expect(shortDecodeNote('live.wav', 3, undefined)).toBeUndefined();
  });
});
