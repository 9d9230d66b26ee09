/**
 * `reel run` refuses, before any work (exit 2), to write a file where it would replace something
 * it must not: a device, a symlink, a folder, an input of the run, one of its outputs.
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
