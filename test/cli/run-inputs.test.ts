/**
 * `reel run` checks its inputs before any model loads: unknown or missing bindings, missing,
 * empty and corrupt files, files of the wrong kind — exit 2, one line each, nothing written.
 */
import { copyFile, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';

const S = 'samples/talking-head/short';
let dir: string;
let out: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'reel run inputs '));
  out = path.join(dir, 'out');
  await writeFile(path.join(dir, '-not audio ü.wav'), 'this is text, not a wav file');
  await writeFile(path.join(dir, 'empty.txt'), '');
  await copyFile(`${S}/face.png`, path.join(dir, '-face ü.png'));
  const voice = await readFile(`${S}/voice.wav`);
  await writeFile(path.join(dir, 'voice cut.wav'), voice.subarray(0, Math.floor(voice.length * 0.6)));
});

const run = (...inputs: string[]) =>
  runCli(['run', 'pipelines/talking-head.yaml', '--out', out, ...inputs.flatMap((i) => ['--input', i])]);

describe('reel run input checks', () => {
  it('names an unknown input with a suggestion and lists the unbound ones', async () => {
    const r = await run(`scrpt=${S}/script.txt`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      `--input scrpt=${S}/script.txt: pipeline "talking-head" has no input "scrpt" — did you mean "script"?`,
      'input "script" is not bound — add --input script=PATH',
      'input "voice" is not bound — add --input voice=PATH',
      'input "face" is not bound — add --input face=PATH',
    ]);
  });

  it('rejects corrupt, empty and wrong-kind files (names with spaces, unicode, leading dashes) before running', async () => {
    const r = await run(
      `script=${path.join(dir, 'empty.txt')}`,
      `voice=${path.join(dir, '-not audio ü.wav')}`,
      `face=${S}/voice.wav`,
    );
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`--input script: ${path.join(dir, 'empty.txt')}: file is empty`);
    expect(lines[1]).toMatch(
      /^--input voice: .*-not audio ü\.wav: not a media file ffmpeg can read .*\(ffmpeg: Invalid data found when processing input\)$/,
    );
    expect(lines[2]).toBe(`--input face: ${S}/voice.wav: has no picture — this input wants a video or an image`);
    expect(r.stderr).not.toMatch(/provider/); // no model was loaded
    await expect(readdir(out)).rejects.toThrow(); // nothing written, not even the folder
  });

  it('refuses a WAV cut short (it would decode, silently, up to the cut), naming both lengths', async () => {
    const r = await run(`script=${S}/script.txt`, `voice=${path.join(dir, 'voice cut.wav')}`, `face=${S}/face.png`);
    expect(r.code).toBe(2);
    const [line, ...rest] = r.stderr.trim().split('\n');
    expect(rest).toEqual([]);
    const m = line.match(
      /^--input voice: .*voice cut\.wav: is truncated: its header declares ([\d.]+) s of audio but the file holds ([\d.]+) s .*ffmpeg -i IN OUT\.wav\)$/,
    );
    expect(m).not.toBeNull();
    expect(Number(m![2]) / Number(m![1])).toBeCloseTo(0.6, 2);
    await expect(readdir(out)).rejects.toThrow();
  });

  it('accepts an image named with a leading dash and unicode as the face', async () => {
    const r = await run(`script=${S}/script.txt`, `voice=${S}/face.png`, `face=${path.join(dir, '-face ü.png')}`);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      `--input voice: ${S}/face.png: has no audio stream — this input wants speech or other sound`,
    );
  });
});
