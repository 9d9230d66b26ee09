/**
 * reel as a library, as a user gets it: `npm pack` makes the tarball, which is unpacked into a
 * temporary project as node_modules/reel (its dependencies linked from this checkout's
 * node_modules, where an install would put them). A plain Node.js program there imports
 * `loadGraph`, `runPipeline` and `defineTransform` from 'reel', defines a stage kind of its own,
 * runs a pipeline that uses it and gets the file written; TypeScript checks a program against the
 * package's declarations.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

const require = createRequire(import.meta.url);
let project: string;

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'reel-packed-'));
  // The dist/ an install builds is what is packed: no scripts run here.
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string; files: { path: string }[] }[];
  const files = packed[0].files.map((f) => f.path);
  expect(files).toContain('dist/src/index.js');
  expect(files).toContain('dist/src/index.d.ts');
  expect(files).toContain('models/pretrained/face-detector-rfb-320.onnx');
  expect(files.some((f) => f.startsWith('models/build/') || f.startsWith('test/'))).toBe(false);

  const modules = path.join(project, 'node_modules');
  mkdirSync(path.join(modules, 'reel'), { recursive: true });
  execFileSync('tar', [
    '-xzf',
    path.join(project, packed[0].filename),
    '-C',
    path.join(modules, 'reel'),
    '--strip-components=1',
  ]);
  for (const entry of readdirSync(path.join(REPO_ROOT, 'node_modules'))) {
    if (entry === '.bin' || entry.startsWith('.')) continue;
    symlinkSync(path.join(REPO_ROOT, 'node_modules', entry), path.join(modules, entry));
  }
  writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'uses-reel', type: 'module' }));
});

describe('reel as a packed library', () => {
  it('runs a pipeline with a stage kind of the program own, from plain Node.js', () => {
    writeFileSync(
      path.join(project, 'gain.mjs'),
      `import { defer, of } from 'rxjs';
import { z } from 'zod';
import { defineTransform } from 'reel';
export const gain = defineTransform({
  kind: 'gain',
  module: import.meta.url,
  summary: 'Scales audio by a gain in decibels.',
  inputs: { audio: { type: 'audio', doc: 'any audio' } },
  outputs: { audio: { type: 'audio', doc: 'scaled' } },
  options: z.strictObject({ db: z.number().default(-6).describe('Gain, dB.') }),
  create: async (options) => ({
    process: (item) => defer(() => {
      const input = item.audio('audio');
      return of({ port: 'audio', packet: { ...input, data: input.data.map((s) => s * 10 ** (options.db / 20)) } });
    }),
    dispose: async () => {},
  }),
});
`,
    );
    writeFileSync(
      path.join(project, 'quieter.yaml'),
      `version: 1
name: quieter
inputs: { audio: { type: audio } }
stages:
  quieter: { use: ./gain.mjs, in: { audio: inputs.audio }, options: { db: -6 } }
outputs:
  speech: { write: wav, in: { audio: quieter.audio }, options: { sampleFormat: f32 } }
chunking: { seconds: 1 }
`,
    );
    const voice = path.join(REPO_ROOT, 'samples/talking-head/short/voice.wav');
    writeFileSync(
      path.join(project, 'main.mjs'),
      `import { loadGraph, runPipeline } from 'reel';
const { graph } = await loadGraph('quieter.yaml');
const events = [];
const result = await runPipeline(graph, {
  inputs: { audio: ${JSON.stringify(voice)} },
  outDir: 'out',
  onEvent: (e) => events.push(e.type),
});
console.log(JSON.stringify({ files: result.files, seconds: result.metrics.mediaSeconds, chunks: events.filter((t) => t === 'chunk').length }));
`,
    );
    const run = spawnSync(process.execPath, ['main.mjs'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      files: Record<string, string[]>;
      seconds: number;
      chunks: number;
    };
    expect(report.files.speech).toEqual([path.join(project, 'out', 'speech.wav')]);
    expect(report.seconds).toBeGreaterThan(3);
    expect(report.chunks).toBeGreaterThan(3);
    // The program's kind did run: the output is the input 6 dB down (float WAV against 16-bit PCM).
    const out = readFileSync(path.join(project, 'out', 'speech.wav'));
    const inp = readFileSync(voice);
    const rms = (xs: number[]) => Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
    const floats: number[] = [];
    const dataAt = out.indexOf('data') + 8;
    for (let i = dataAt; i + 4 <= out.length; i += 4) floats.push(out.readFloatLE(i));
    const ints: number[] = [];
    for (let i = 44; i + 2 <= inp.length; i += 2) ints.push(inp.readInt16LE(i) / 32768);
    expect(rms(floats) / rms(ints)).toBeCloseTo(10 ** (-6 / 20), 2);
  });

  it('type-checks a TypeScript program against the package declarations', () => {
    writeFileSync(
      path.join(project, 'check.ts'),
      `import { defineTransform, loadGraph, runPipeline, type RunResult } from 'reel';
import { z } from 'zod';
export const noop = defineTransform({
  kind: 'noop',
  summary: 'passes audio on',
  inputs: { audio: { type: 'audio', doc: 'in' } },
  outputs: { audio: { type: 'audio', doc: 'out' } },
  options: z.strictObject({}),
  create: async () => ({ process: () => { throw new Error('not run'); }, dispose: async () => {} }),
});
export async function go(): Promise<RunResult> {
  const { graph } = await loadGraph('quieter.yaml');
  return runPipeline(graph, { inputs: { audio: 'a.wav' }, outDir: 'out' });
}
// @ts-expect-error runPipeline wants a graph, not a file name
runPipeline('quieter.yaml', {});
`,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        files: ['check.ts'],
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const checked = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], {
      cwd: project,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });
});
