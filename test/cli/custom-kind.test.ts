/**
 * README "Writing a stage kind": the example kind, as printed in the README, runs through the real
 * binary (`use: ./gain.ts`) and scales the audio by its gain, sample for sample; a module that
 * exports no kind is refused with a clear line. A library of kinds (`kinds:` in the pipeline, or
 * `--kinds`) gives each of its transforms a name for `use:`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, writeWav } from '../../src/media/index.ts';
import { concatFloat } from '../helpers/audio-signals.ts';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT, runCli, runReelBinary } from '../helpers/cli.ts';

async function pcm(file: string): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  for await (const block of decodeAudio(file, { sampleRate: 16000, channels: 1 })) parts.push(block);
  return concatFloat(parts);
}

describe('README: writing a stage kind', () => {
  it('prints the example kind exactly as it is in pipelines/custom-kind/gain.ts', async () => {
    const readme = await readFile(join(REPO_ROOT, 'README.md'), 'utf8');
    const source = await readFile(join(REPO_ROOT, 'pipelines/custom-kind/gain.ts'), 'utf8');
    expect(readme).toContain(source.trim());
  });

  it('runs the gain kind through reel run: every sample scaled by 10^(-6/20)', { timeout: 60_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reel gain ü-'));
    const input = join(dir, 'tone in.wav');
    const tone = Float32Array.from(
      { length: 16000 * 5 + 123 },
      (_, i) => 0.5 * Math.sin((2 * Math.PI * 220 * i) / 16000),
    );
    await writeWav(
      input,
      (async function* () {
        yield tone;
      })(),
      { sampleRate: 16000, channels: 1, sampleFormat: 'f32' },
    );
    const out = join(dir, 'out');
    const r = runReelBinary(['run', 'pipelines/custom-kind/gain.yaml', '--input', `audio=${input}`, '--out', out], {
      timeoutMs: 60_000,
    });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const got = await pcm(join(out, 'speech.wav'));
    expect(got.length).toBe(tone.length);
    const factor = 10 ** (-6 / 20);
    let worst = 0;
    for (let i = 0; i < tone.length; i++) worst = Math.max(worst, Math.abs(got[i] - tone[i] * factor));
    expect(worst).toBeLessThan(1e-6);
  });

  it('refuses a module that exports no stage kind, naming the file and the fix (exit 2)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reel-kind-'));
    await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
    await writeFile(join(dir, 'nothing.ts'), 'export const answer = 42;\n');
    await writeFile(
      join(dir, 'p.yaml'),
      'version: 1\nname: p\ninputs:\n  audio: { type: audio }\nstages:\n  s:\n    use: ./nothing.ts\n    in: { audio: inputs.audio }\noutputs:\n  o: { write: wav, in: { audio: s.audio } }\n',
    );
    const r = runReelBinary(['validate', join(dir, 'p.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /p\.yaml:7:10: stage "s": stage kind module \.\/nothing\.ts must export exactly one transform \(defineTransform\), found 0$/,
    );
  });
});

/** A module of two kinds (`flip` and `scale`) in a folder of its own, and a pipeline using them. */
async function kindLibrary(kindsLine: string): Promise<{ dir: string; pipeline: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'reel kinds ü-'));
  const stage = pathToFileURL(join(REPO_ROOT, 'src/core/stage.ts')).href;
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  const kind = (name: string, factor: string, options: string) => `
export const ${name} = defineTransform({
  kind: '${name}',
  summary: 'Multiplies audio by ${factor}.',
  inputs: { audio: { type: 'audio', doc: 'Any audio.' } },
  outputs: { audio: { type: 'audio', doc: 'The same, multiplied.' } },
  options: z.strictObject({ ${options} }),
  create: async (options) => ({
    process: (item) => defer(() => {
      const input = item.audio('audio');
      return of({ port: 'audio', packet: { ...input, data: input.data.map((x) => x * ${factor}) } });
    }),
    dispose: async () => {},
  }),
});`;
  await writeFile(
    join(dir, 'my kinds.ts'),
    `import { defer, of } from 'rxjs';\nimport { z } from 'zod';\nimport { defineTransform } from '${stage}';\n` +
      kind('flip', '-1', '') +
      kind('scale', 'options.by', "by: z.number().min(0).max(4).default(1).describe('Factor. Default 1.')"),
  );
  const pipeline = join(dir, 'p.yaml');
  await writeFile(
    pipeline,
    `version: 1\nname: p\n${kindsLine}inputs:\n  audio: { type: audio }\nstages:\n` +
      '  a: { use: flip, in: { audio: inputs.audio } }\n' +
      '  b: { use: scale, in: { audio: a.audio }, options: { by: 0.5 } }\n' +
      'outputs:\n  o: { write: wav, in: { audio: b.audio }, options: { sampleFormat: f32 } }\n',
  );
  return { dir, pipeline };
}

describe('a library of stage kinds', () => {
  it('kinds: in the pipeline names every transform of a module for use: — and they run', async () => {
    const { dir, pipeline } = await kindLibrary('kinds: [./my kinds.ts]\n');
    const input = join(dir, 'tone.wav');
    const tone = Float32Array.from({ length: 16000 * 2 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 330 * i) / 16000));
    await writeWav(
      input,
      (async function* () {
        yield tone;
      })(),
      { sampleRate: 16000, channels: 1, sampleFormat: 'f32' },
    );
    const r = await runCli(['run', pipeline, '--input', `audio=${input}`, '--out', join(dir, 'out')]);
    expect(r.code, r.stderr).toBe(0);
    const got = await pcm(join(dir, 'out', 'o.wav'));
    expect(got.length).toBe(tone.length);
    let worst = 0;
    for (let i = 0; i < tone.length; i++) worst = Math.max(worst, Math.abs(got[i] + 0.5 * tone[i]));
    expect(worst).toBeLessThan(1e-6);
  });

  it('--kinds does the same from the command line; reel kinds --kinds lists and describes them', async () => {
    const { dir, pipeline } = await kindLibrary('');
    const without = await runCli(['validate', pipeline]);
    expect(without.code).toBe(2);
    expect(without.stderr).toContain('unknown stage kind "flip"');
    const module = join(dir, 'my kinds.ts');
    expect((await runCli(['validate', pipeline, '--kinds', module])).code).toBe(0);
    // The same module named twice is one library, not a clash with itself.
    const twice = await runCli(['validate', pipeline, '--kinds', module, '--kinds', module]);
    expect(twice.code, twice.stderr).toBe(0);
    const listed = await runCli(['kinds', '--kinds', module]);
    expect(listed.stdout).toMatch(/^scale +transform +Multiplies audio by options\.by\. \(file:.*my%20kinds\.ts\)$/m);
    expect(listed.stdout).toMatch(/^wav2lip +transform/m);
    const one = await runCli(['kinds', 'scale', '--kinds', module]);
    expect(one.stdout).toMatch(/by .*number.*0.*4.*default 1/);
  });

  it('refuses a kind named like a built-in one, at the line of the module in kinds:', async () => {
    const { dir } = await kindLibrary('');
    const stage = pathToFileURL(join(REPO_ROOT, 'src/core/stage.ts')).href;
    const source = (await readFile(join(dir, 'my kinds.ts'), 'utf8')).replace("kind: 'flip'", "kind: 'wav2lip'");
    await writeFile(join(dir, 'clash.ts'), source.replace(/from '[^']*stage\.ts'/, `from '${stage}'`));
    const p = join(dir, 'clash.yaml');
    await writeFile(
      p,
      'version: 1\nname: p\nkinds:\n  - ./clash.ts\ninputs:\n  audio: { type: audio }\nstages:\n  b: { use: scale, in: { audio: inputs.audio } }\noutputs:\n  o: { write: wav, in: { audio: b.audio } }\n',
    );
    const r = await runCli(['validate', p]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(
      /clash\.yaml:4:5: stage kind module \.\/clash\.ts: kind "wav2lip" is a built-in kind — give yours another name$/,
    );
  });
});
