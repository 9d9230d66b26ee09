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

describe('real-architecture fixtures', () => {
  it('EnCodec (transformers) as the VALL-E X codec: fits the contract and speaks in talking-head', async () => {
    const file = fixture('vallex-codec.onnx');
    const inspect = await runCli(['models', 'inspect', file, '--family', 'vallex-codec']);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/^fits the vallex-codec contract/m);
    expect(inspect.stdout).toMatch(/producer pytorch/);

    const TH = 'samples/talking-head/short';
    const args = [
      'run',
      'pipelines/talking-head.yaml',
      '--input',
      `script=${TH}/script.txt`,
      '--input',
      `face=${TH}/face.png`,
      '--input',
      `voice=${TH}/voice.wav`,
    ];
    const real = runReelBinary([...args, '--out', join(dir, 'real'), '--set', `stages.tts.model.codec=${file}`], {
      timeoutMs: 120_000,
    });
    expect(real.code, real.stderr).toBe(0);
    const reference = runReelBinary([...args, '--out', join(dir, 'reference')], { timeoutMs: 120_000 });
    expect(reference.code, reference.stderr).toBe(0);
    const a = wavShape(join(dir, 'real', 'speech.wav'));
    expect(a).toEqual(wavShape(join(dir, 'reference', 'speech.wav')));
    expect(a.frames).toBeGreaterThan(a.rate / 2); // some speech, at the pipeline's rate
  });

  it('HiFi-GAN (jik876/hifi-gan Generator) as the vocoder: fits the contract and speaks in talking-head --profile fast', async () => {
    const file = fixture('hifigan.onnx');
    const inspect = await runCli(['models', 'inspect', file, '--family', 'hifigan']);
    expect(inspect.code).toBe(0);
    expect(inspect.stdout).toMatch(/^fits the hifigan contract/m);

    const TH = 'samples/talking-head/short';
    const args = [
      'run',
      'pipelines/talking-head.yaml',
      '--profile',
      'fast',
      '--input',
      `script=${TH}/script.txt`,
      '--input',
      `face=${TH}/face.png`,
      '--input',
      `voice=${TH}/voice.wav`,
    ];
    const real = runReelBinary([...args, '--out', join(dir, 'real-fast'), '--set', `stages.vocoder.model=${file}`], {
      timeoutMs: 120_000,
    });
    expect(real.code, real.stderr).toBe(0);
    const reference = runReelBinary([...args, '--out', join(dir, 'reference-fast')], { timeoutMs: 120_000 });
    expect(reference.code, reference.stderr).toBe(0);
    const a = wavShape(join(dir, 'real-fast', 'speech.wav'));
    expect(a).toEqual(wavShape(join(dir, 'reference-fast', 'speech.wav')));
    expect(a.frames).toBeGreaterThan(a.rate / 2);
  });
});
