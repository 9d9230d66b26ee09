/**
 * `reel run` refuses, before any work (exit 2), to write a file where it would replace something
 * it must not: a device, a symlink, a folder, an input of the run, one of its outputs.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loopClip } from '../../src/media/loop-clip.ts';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';

const VOICE = path.join(REPO_ROOT, 'samples/talking-head/short/voice.wav');

async function folderWithInput(name: string): Promise<{ dir: string; input: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reel-write-plan-'));
  const input = path.join(dir, name);
  await copyFile(VOICE, input);
  return { dir, input };
}

const run = (input: string, ...rest: string[]) =>
  runCli(['run', 'pipelines/voice-convert.yaml', '--input', `audio=${input}`, ...rest]);

describe('reel run write plan', () => {
  it('refuses an output that would replace its own input (same name inside --out)', async () => {
    const { dir, input } = await folderWithInput('converted.wav');
    const r = await run(input, '--out', dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `output "converted" ${input}: is input "audio" of this run; writing it would replace that file — give --out another folder`,
    );
    expect((await readFile(input)).equals(await readFile(VOICE))).toBe(true);
  });

  it('refuses --trace and --metrics on a device, a symlink, a folder, the input or an output', async () => {
    const { dir, input } = await folderWithInput('voice.wav');
    const out = path.join(dir, 'out');
    await mkdir(out);
    const link = path.join(dir, 'link.json');
    await symlink('/proc/self/fd/1', link);
    const cases: [string, string, RegExp][] = [
      ['--trace', '/dev/null', /--trace \/dev\/null: is a device/],
      ['--trace', link, /link\.json: is a symbolic link/],
      ['--metrics', dir, /: is a folder/],
      ['--metrics', input, /voice\.wav: is input "audio" of this run; .* give --metrics another path/],
      [
        '--trace',
        path.join(out, 'converted.wav'),
        /converted\.wav: is output "converted"; .* give --trace another path/,
      ],
    ];
    for (const [flag, file, message] of cases) {
      const r = await run(input, '--out', out, flag, file);
      expect(r.code, `${flag} ${file}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // Nothing was written, and what was there is as it was.
    expect(await readdir(out)).toEqual([]);
    expect((await stat('/dev/null')).isCharacterDevice()).toBe(true);
    expect((await readFile(input)).equals(await readFile(VOICE))).toBe(true);
  });

  it('holds --out for the run: a second run into it is refused (exit 2) and the first run completes whole', async () => {
    const { dir, input } = await folderWithInput('voice.wav');
    const long = path.join(dir, 'long.wav');
    await loopClip(VOICE, 30, long, 'audio');
    const out = path.join(dir, 'out');
    const first = spawn(
      process.execPath,
      [
        path.join(REPO_ROOT, 'bin/reel.js'),
        'run',
        'pipelines/voice-convert.yaml',
        '--input',
        `audio=${long}`,
        '--out',
        out,
      ],
      {
        cwd: REPO_ROOT,
        stdio: 'ignore',
      },
    );
    const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
    for (let i = 0; i < 400 && !(await stat(path.join(out, '.reel-batch', 'lock')).catch(() => undefined)); i++)
      await new Promise((r) => setTimeout(r, 25));
    const second = await run(input, '--out', out);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/output folder .*out is in use by reel run pid \d+ .*choose another --out/);
    expect(await exited).toBe(0);
    // The lock goes with the run: only the output is left.
    expect(await readdir(out)).toEqual(['converted.wav']);
    // A partial output of a run killed with SIGKILL is swept by the next run into the folder.
    const leftover = path.join(out, '.converted.wav.99999-0a1b2c3d.partial');
    await writeFile(leftover, 'half a file');
    expect((await run(input, '--out', out)).code).toBe(0);
    expect((await readdir(out)).sort()).toEqual(['converted.wav']);
  });
});
