import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { mediaToolVersions, resolveFfmpeg } from '../../src/media/binaries.ts';

describe('media binaries', () => {
  const saved = { ffmpeg: process.env.FFMPEG_PATH, ffprobe: process.env.FFPROBE_PATH };
  afterEach(() => {
    for (const [k, v] of [
      ['FFMPEG_PATH', saved.ffmpeg],
      ['FFPROBE_PATH', saved.ffprobe],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it('finds the packaged ffmpeg and ffprobe', () => {
    delete process.env.FFMPEG_PATH;
    delete process.env.FFPROBE_PATH;
    const { ffmpeg, ffprobe } = resolveFfmpeg();
    expect(existsSync(ffmpeg)).toBe(true);
    expect(existsSync(ffprobe)).toBe(true);
  });

  it('reports the versions `reel doctor` shows', async () => {
    const v = await mediaToolVersions();
    expect(v.ffmpeg).toMatchObject({ path: resolveFfmpeg().ffmpeg, version: expect.stringMatching(/\S/) });
    expect(v.ffprobe).toMatchObject({ path: resolveFfmpeg().ffprobe, version: expect.stringMatching(/\S/) });
  });

  it('takes FFMPEG_PATH / FFPROBE_PATH over the packages, and reports one that does not run', async () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    expect(resolveFfmpeg().ffmpeg).toBe('/nonexistent/ffmpeg');
    const v = await mediaToolVersions();
    expect(v.ffmpeg).toMatchObject({ path: '/nonexistent/ffmpeg', error: expect.stringMatching(/ENOENT/) });
    expect('version' in v.ffprobe).toBe(true);
  });
});
