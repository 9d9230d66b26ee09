/**
 * Pull semantics: ffmpeg runs only as fast as the consumer pulls, and a consumer that stops
 * (break, abort) leaves no ffmpeg process behind.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src/core/errors.ts';
import { decodeAudio } from '../../src/media/decodeAudio.ts';
import { decodeVideo } from '../../src/media/decodeVideo.ts';
import { avMp4, processExists, sineWav, tempDir } from './makeMedia.ts';

async function gone(pid: number, withinMs = 2000): Promise<boolean> {
  for (let t = 0; t < withinMs; t += 20) {
    if (!processExists(pid)) return true;
    await sleep(20);
  }
  return false;
}

describe('pulled decoding', () => {
  const tmp = tempDir('pull');
  let long: string;
  let av: string;
  // 60 s mono at 48 kHz: 11.5 MB of f32 once decoded.
  const decodedBytes = 60 * 48000 * 4;
  beforeAll(() => {
    long = sineWav(tmp.path('long.wav'), { freq: 300, rate: 48000, seconds: 60 });
    av = avMp4(tmp.path('av.mp4'), { seconds: 4, size: '64x48' });
  });
  afterAll(() => tmp.remove());

  it('keeps ffmpeg paused while the consumer does not pull: bytes read stay bounded', async () => {
    const stream = decodeAudio(long, { sampleRate: 48000, channels: 1, blockSamples: 4096 });
    const it = stream[Symbol.asyncIterator]();
    expect(stream.pid).toBeUndefined(); // nothing runs before the first pull
    await it.next();
    const pid = stream.pid!;
    // Let Node fill its small read buffer (on a loaded machine that may take a while), then watch.
    let afterPause = -1;
    for (let t = 0; t < 20 && stream.bytesFromFfmpeg !== afterPause; t++) {
      afterPause = stream.bytesFromFfmpeg;
      await sleep(200);
    }
    await sleep(400);
    expect(stream.bytesFromFfmpeg).toBe(afterPause); // not one more byte while paused
    expect(afterPause).toBeLessThan(1 << 20); // < 1 MiB of the 11.5 MB
    expect(afterPause).toBeLessThan(decodedBytes / 10);
    expect(processExists(pid)).toBe(true); // paused, not finished

    let pulled = 0;
    for (let i = 0; i < 200; i++) pulled += (await it.next()).value!.length;
    expect(pulled).toBe(200 * 4096);
    expect(stream.bytesFromFfmpeg).toBeGreaterThan(afterPause); // pulling resumes it
    await it.return!(undefined);
    expect(await gone(pid)).toBe(true);
  });

  it('kills ffmpeg when the consumer breaks out of the loop', async () => {
    const stream = decodeAudio(long, { sampleRate: 16000, channels: 1, blockSamples: 1024 });
    let n = 0;
    for await (const _ of stream) if (++n === 2) break;
    expect(stream.pid).toBeGreaterThan(0);
    expect(processExists(stream.pid!)).toBe(false); // reaped before the loop returned
  });

  it('kills ffmpeg on abort, even while the consumer is not pulling, then throws CancelledError', async () => {
    const ac = new AbortController();
    const stream = decodeAudio(long, { sampleRate: 16000, channels: 1, blockSamples: 1024, signal: ac.signal });
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    const pid = stream.pid!;
    ac.abort();
    expect(await gone(pid)).toBe(true);
    await expect(it.next()).rejects.toBeInstanceOf(CancelledError);
  });

  it('throws CancelledError without starting ffmpeg when already aborted', async () => {
    const stream = decodeAudio(long, { sampleRate: 16000, channels: 1, signal: AbortSignal.abort() });
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/long\.wav: cancelled/);
    expect(stream.pid).toBeUndefined();
  });

  it('kills a video decode on break, too', async () => {
    const stream = decodeVideo(av, { fps: 25 });
    for await (const block of stream) {
      expect(block.frameCount).toBe(1);
      break;
    }
    expect(processExists(stream.pid!)).toBe(false);
  });

  it('can be read only once', async () => {
    const stream = decodeAudio(long, { sampleRate: 8000, channels: 1 });
    for await (const _ of stream) break;
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow(/read only once/);
  });
});
