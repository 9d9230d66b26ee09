/**
 * README "Writing a stage kind": the example kind, as printed in the README, runs through the real
 * binary (`use: ./gain.ts`) and scales the audio by its gain, sample for sample; a module that
 * exports no kind is refused with a clear line.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, writeWav } from '../../src/media/index.ts';
import { concatFloat } from '../helpers/audio-signals.ts';
import { REPO_ROOT, runReelBinary } from '../helpers/cli.ts';

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
