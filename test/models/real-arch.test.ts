/**
 * Real-architecture fixtures (test/fixtures/real-arch/, exported by models/export/*.py from the
 * families' own code with random weights): each fits its family contract and runs through its stage
 * in a shipped pipeline, giving output of the same length and rate as the reference model there.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

async function expectFits(name: string, family: string) {
  const inspect = await runCli(['models', 'inspect', fixture(name), '--family', family]);
  expect(inspect.code).toBe(0);
  expect(inspect.stdout).toMatch(new RegExp(`^fits the ${family} contract`, 'm'));
  expect(inspect.stdout).toMatch(/producer pytorch/);
}

interface Job {
  pipeline: string;
  inputs: string[];
  /** `--set` overrides that swap the fixtures in. */
  sets: Record<string, string>;
  /** The WAV the pipeline writes, compared with the reference run's. */
  wav: string;
  extra?: string[];
}

/** `job` with the fixtures swapped in gives a WAV of the same rate and length as with the reference models. */
function runsLikeReference(tag: string, job: Job) {
  const args = ['run', job.pipeline, ...(job.extra ?? [])];
  for (const input of job.inputs) args.push('--input', input);
  const out = (what: string) => join(dir, `${tag}-${what}`);
  const sets = Object.entries(job.sets).flatMap(([key, file]) => ['--set', `${key}=${fixture(file)}`]);
  const real = runReelBinary([...args, '--out', out('real'), ...sets], { timeoutMs: 120_000 });
  expect(real.code, real.stderr).toBe(0);
  const reference = runReelBinary([...args, '--out', out('reference')], { timeoutMs: 120_000 });
  expect(reference.code, reference.stderr).toBe(0);
  const a = wavShape(join(out('real'), job.wav));
  expect(a).toEqual(wavShape(join(out('reference'), job.wav)));
  expect(a.frames).toBeGreaterThan(a.rate / 2); // some audio, at the pipeline's rate
}

const talkingHead = (sets: Record<string, string>, extra: string[] = []): Job => ({
  pipeline: 'pipelines/talking-head.yaml',
  inputs: [`script=${TH}/script.txt`, `face=${TH}/face.png`, `voice=${TH}/voice.wav`],
  sets,
  wav: 'speech.wav',
  extra,
});
const voiceConvert = (sets: Record<string, string>): Job => ({
  pipeline: 'pipelines/voice-convert.yaml',
  inputs: [`audio=${TH}/voice.wav`],
  sets,
  wav: 'converted.wav',
});

describe('real-architecture fixtures', () => {
  it('EnCodec (transformers) as the VALL-E X codec: fits the contract and speaks in talking-head', async () => {
    await expectFits('vallex-codec.onnx', 'vallex-codec');
    runsLikeReference('codec', talkingHead({ 'stages.tts.model.codec': 'vallex-codec.onnx' }));
  });

  it('HiFi-GAN (jik876/hifi-gan Generator) as the vocoder: fits the contract and speaks in talking-head --profile fast', async () => {
    await expectFits('hifigan.onnx', 'hifigan');
    runsLikeReference('hifigan', talkingHead({ 'stages.vocoder.model': 'hifigan.onnx' }, ['--profile', 'fast']));
  });

  it("RVC v2 (the WebUI's SynthesizerTrnMsNSFsidM): fits the contract and converts in voice-convert", async () => {
    await expectFits('rvc.onnx', 'rvc');
    runsLikeReference('rvc-v2', voiceConvert({ 'stages.convert.model': 'rvc.onnx' }));
  });

  it('HuBERT (transformers) with an RVC v1 synthesizer: 256-wide features end to end in voice-convert', async () => {
    await expectFits('content-encoder.onnx', 'content-encoder');
    await expectFits('rvc-v1.onnx', 'rvc');
    runsLikeReference(
      'rvc-v1',
      voiceConvert({ 'stages.content.model': 'content-encoder.onnx', 'stages.convert.model': 'rvc-v1.onnx' }),
    );
  });

  it('a 256-wide content encoder with a 768-wide (v2) synthesizer is refused with both widths named, no output', () => {
    const out = join(dir, 'mismatch');
    const r = runReelBinary(
      [
        'run',
        'pipelines/voice-convert.yaml',
        '--input',
        `audio=${TH}/voice.wav`,
        '--out',
        out,
        '--set',
        `stages.content.model=${fixture('content-encoder.onnx')}`,
      ],
      { timeoutMs: 120_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /takes 768-wide content features \(RVC v2\), but the content encoder gives 256-wide \(RVC v1\)/,
    );
    expect(existsSync(join(out, 'converted.wav'))).toBe(false);
  });

  it('T5 (transformers T5EncoderModel, full 32 128-id vocabulary) fits the text-encoder contract', () =>
    expectFits('text-encoder.onnx', 'text-encoder'));
});
