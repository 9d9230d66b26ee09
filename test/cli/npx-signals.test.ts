/**
 * `npx reel …` stopped as a process manager stops it — SIGTERM to the npx process, which exits at
 * once without passing the signal on — stops the run too: no output appears, the lock goes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loopClip } from '../../src/media/loop-clip.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

describe('npx reel, as the README runs it', () => {
  it('prints no npm warning: the project sets no config that npm does not know', () => {
    const r = spawnSync('npx', ['reel', '--version'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^reel \d+\.\d+\.\d+/);
    expect(r.stderr).not.toMatch(/npm warn/i);
  });
});

describe('npx reel under a signal', () => {
  it('SIGTERM to npx stops the run it started: nothing is written', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reel-npx-'));
    const clip = path.join(dir, 'long.wav');
    await loopClip(path.join(REPO_ROOT, 'samples/talking-head/long/voice.wav'), 1200, clip, 'audio');
    const out = path.join(dir, 'out');
    const npx = spawn(
      'npx',
      ['reel', 'run', 'pipelines/voice-convert.yaml', '--input', `audio=${clip}`, '--out', out],
      {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    npx.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Once the run holds its folder, stop npx.
    for (let i = 0; i < 600 && !(await stat(path.join(out, '.reel-batch', 'lock')).catch(() => undefined)); i++)
      await new Promise((r) => setTimeout(r, 25));
    npx.kill('SIGTERM');
    await new Promise((resolve) => npx.once('exit', resolve));
    // The run notices within its poll (0.5 s), cancels, removes its partial files and the lock.
    for (let i = 0; i < 200 && (await stat(out).catch(() => undefined)); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(dir)).toEqual(['long.wav']);
    expect(stderr).not.toMatch(/converted: /);
  });
});
