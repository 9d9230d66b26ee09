/**
 * The small commands, as a user runs them: doctor, models inspect (on the real, old-exporter
 * face detector from ../shared), models build, usage errors.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../models/reference.ts';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';

const FACE_DETECTOR = path.resolve(REPO_ROOT, '../shared/models/face-detector-rfb-320.onnx');

describe('reel doctor', () => {
  it('reports ffmpeg, ffprobe and that the CPU provider loads, and the GPU ones with a reason', async () => {
    const r = await runCli(['doctor']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok {4}ffmpeg +\S+/);
    expect(r.stdout).toMatch(/ok {4}ffprobe +\S+/);
    expect(r.stdout).toMatch(/^ {2}ok {4}cpu$/m);
    // This machine has no GPU libraries: each GPU provider is listed as missing, with ORT's reason.
    expect(r.stdout).toMatch(/MISS +cuda +.*shared library/);
  });

  it('says where runs remember their stage costs and how many, or that remembering is off', async () => {
    const state = await mkdtemp(path.join(os.tmpdir(), 'reel-doctor-state-'));
    const file = path.join(state, 'stage-costs.json');
    const entry = { msPerItem: 30, replicas: 2, usedAt: 1 };
    await writeFile(file, JSON.stringify({ version: 1, stages: { a: entry, b: entry } }));
    const saved = { dir: process.env.REEL_STATE_DIR, on: process.env.REEL_REMEMBER_COSTS };
    try {
      process.env.REEL_STATE_DIR = state;
      process.env.REEL_REMEMBER_COSTS = '';
      expect((await runCli(['doctor'])).stdout).toMatch(
        new RegExp(`^stage costs: 2 remembered in ${file.replaceAll(/[.\\/]/g, '\\$&')} \\(`, 'm'),
      );
      process.env.REEL_REMEMBER_COSTS = '0';
      expect((await runCli(['doctor'])).stdout).toMatch(/^stage costs: not remembered \(REEL_REMEMBER_COSTS=0\)$/m);
    } finally {
      for (const [name, value] of [
        ['REEL_STATE_DIR', saved.dir],
        ['REEL_REMEMBER_COSTS', saved.on],
      ] as const)
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
  });

  it('reports a missing ffmpeg with exit 1', async () => {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    try {
      const r = await runCli(['doctor']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/MISS +ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});

describe('reel models', () => {
  it.skipIf(!existsSync(FACE_DETECTOR))(
    'inspects the real face detector, whose weights are listed as graph inputs',
    async () => {
      const r = await runCli(['models', 'inspect', FACE_DETECTOR]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^ {2}input +float32 +\[1, 3, 240, 320\]$/m);
      expect(r.stdout).toMatch(/^ {2}scores +float32 +\[1, \d+, 2\]$/m);
      expect(r.stdout).toMatch(/^ {2}boxes +float32 +\[1, \d+, 4\]$/m);
      expect(r.stdout).toMatch(/more graph inputs have initializers/);
    },
  );

  it('fails on a file that is not a model with exit 1 and one line', async () => {
    const r = await runCli(['models', 'inspect', 'README.md']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('README.md: not a valid ONNX model');
  });

  it('--family says whether a file fits a contract, and what an export that fits declares', async () => {
    const vae = await ensureReferenceModel('vae', 'tiny');
    const fits = await runCli(['models', 'inspect', vae, '--family', 'vae']);
    expect(fits.code).toBe(0);
    expect(fits.stdout).toMatch(
      /^fits the vae contract \(inputs latents, conv_cache; outputs frames, conv_cache_out\)$/m,
    );

    const wrong = await runCli(['models', 'inspect', vae, '--family', 'hifigan']);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toMatch(/^does not fit the hifigan contract:$/m);
    expect(wrong.stdout).toMatch(
      /^ {2}input "spec" \(float32 \[B, 80, T\]\) is missing; the model's inputs are "latents", "conv_cache"$/m,
    );
    expect(wrong.stdout).toMatch(/^ {2}input "latents" .* is not part of the hifigan contract/m);
    expect(wrong.stdout).toMatch(/^ {4}audio +float32 +\[B, 1, T_audio\]$/m);

    const typo = await runCli(['models', 'inspect', vae, '--family', 'va']);
    expect(typo.code).toBe(2);
    expect(typo.stderr.trim()).toBe('--family va: no such model family — did you mean "vae"?');
    expect(typo.stdout).toBe('');
  });

  it('builds every reference model into a folder', async () => {
    const out = await mkdtemp(path.join(os.tmpdir(), 'reel-models-'));
    const r = await runCli(['models', 'build', '--out', out]);
    expect(r.code).toBe(0);
    const files = (await readdir(out)).sort();
    expect(files).toContain('hifigan.onnx');
    expect(files).toContain('wav2lip.onnx');
    expect(files.length).toBeGreaterThanOrEqual(12);
  });
});

describe('usage errors', () => {
  it.each([
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['validate'], "missing required argument 'pipeline'"],
    [['models', 'build', '--scale', 'huge'], "argument 'huge' is invalid"],
    [['validate', 'pipelines/talking-head.yaml', '--bogus'], "unknown option '--bogus'"],
  ])('%j → exit 2', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

describe('--cores', () => {
  it('refuses a core count that is not a whole number ≥ 1, for run and bench, before anything runs', async () => {
    const input = ['--input', 'audio=samples/talking-head/short/voice.wav'];
    for (const [command, value] of [
      ['run', '0'],
      ['run', 'two'],
      ['bench', '1.5'],
    ] as const) {
      const out = await mkdtemp(path.join(os.tmpdir(), 'reel-cores-'));
      const where = command === 'run' ? ['--out', out] : ['--csv', path.join(out, 'bench.csv')];
      const r = await runCli([command, 'pipelines/voice-convert.yaml', ...input, ...where, '--cores', value]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim()).toBe(`--cores ${value}: expected a whole number of cores, at least 1, e.g. --cores 4`);
      expect(await readdir(out)).toEqual([]);
    }
  });
});
