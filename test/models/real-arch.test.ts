/**
 * Real-architecture fixtures (test/fixtures/real-arch/, exported by models/export/*.py from the
 * families' own code with random weights): each fits its family contract and runs through its stage
 * in a shipped pipeline, giving output of the same length and rate as the reference model there.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, runReelBinary } from '../helpers/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'reel-real-arch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) => join(REPO_ROOT, 'test/fixtures/real-arch', name);

/** Sample rate and sample frames of a 16-bit WAV that reel wrote (44-byte header). */
function wavShape(file: string): { rate: number; frames: number } {
  const b = readFileSync(file);
  return { rate: b.readUInt32LE(24), frames: (b.length - 44) / (2 * b.readUInt16LE(22)) };
}

const TH = 'samples/talking-head/short';

/**
 * The fixture fits `family`'s contract, and talking-head (with `profile`) speaks through it with
 * `--set <modelKey>=fixture`: speech of the same rate and length as with the reference model.
 */
async function speaksLikeReference(name: string, family: string, modelKey: string, profile: string[] = []) {
  const file = fixture(name);
  const inspect = await runCli(['models', 'inspect', file, '--family', family]);
  expect(inspect.code).toBe(0);
  expect(inspect.stdout).toMatch(new RegExp(`^fits the ${family} contract`, 'm'));
  expect(inspect.stdout).toMatch(/producer pytorch/);

  const args = ['run', 'pipelines/talking-head.yaml', ...profile];
  for (const input of ['script=script.txt', 'face=face.png', 'voice=voice.wav'])
    args.push('--input', input.replace('=', `=${TH}/`));
  const out = (what: string) => join(dir, `${family}-${what}`);
  const real = runReelBinary([...args, '--out', out('real'), '--set', `${modelKey}=${file}`], { timeoutMs: 120_000 });
  expect(real.code, real.stderr).toBe(0);
  const reference = runReelBinary([...args, '--out', out('reference')], { timeoutMs: 120_000 });
  expect(reference.code, reference.stderr).toBe(0);
  const a = wavShape(join(out('real'), 'speech.wav'));
  expect(a).toEqual(wavShape(join(out('reference'), 'speech.wav')));
  expect(a.frames).toBeGreaterThan(a.rate / 2); // some speech, at the pipeline's rate
}

describe('real-architecture fixtures', () => {
  it('EnCodec (transformers) as the VALL-E X codec: fits the contract and speaks in talking-head', () =>
    speaksLikeReference('vallex-codec.onnx', 'vallex-codec', 'stages.tts.model.codec'));

  it('HiFi-GAN (jik876/hifi-gan Generator) as the vocoder: fits the contract and speaks in talking-head --profile fast', () =>
    speaksLikeReference('hifigan.onnx', 'hifigan', 'stages.vocoder.model', ['--profile', 'fast']));
});
