/**
 * Real-architecture fixtures in voice-convert and text-to-video (test/helpers/real-arch.ts): HuBERT,
 * RVC v1 and v2, T5, the CogVideoX DiT and VAE decoder.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runReelBinary } from '../helpers/cli.ts';
import {
  dir,
  expectFits,
  fixture,
  jobArgs,
  runsLikeReference,
  textToVideo,
  voiceConvert,
} from '../helpers/real-arch.ts';

describe('real-architecture fixtures: voice-convert and text-to-video', () => {
  it("RVC v2 (the WebUI's SynthesizerTrnMsNSFsidM): fits the contract and converts in voice-convert", async () => {
    await expectFits('rvc.onnx', 'rvc');
    await runsLikeReference('rvc-v2', voiceConvert({ 'stages.convert.model': 'rvc.onnx' }));
  }, 300_000);

  it('HuBERT (transformers) with an RVC v1 synthesizer: 256-wide features end to end in voice-convert', async () => {
    await expectFits('content-encoder.onnx', 'content-encoder');
    await expectFits('rvc-v1.onnx', 'rvc');
    await runsLikeReference(
      'rvc-v1',
      voiceConvert({ 'stages.content.model': 'content-encoder.onnx', 'stages.convert.model': 'rvc-v1.onnx' }),
    );
  }, 300_000);

  it('a 256-wide content encoder with a 768-wide (v2) synthesizer is refused with both widths named, no output', () => {
    const out = join(dir, 'mismatch');
    const { args, sets } = jobArgs(voiceConvert({ 'stages.content.model': 'content-encoder.onnx' }));
    const r = runReelBinary([...args, ...sets, '--out', out], { timeoutMs: 120_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /takes 768-wide content features \(RVC v2\), but the content encoder gives 256-wide \(RVC v1\)/,
    );
    expect(existsSync(join(out, 'converted.wav'))).toBe(false);
  }, 300_000);

  it('T5 (transformers), the CogVideoX DiT and the CogVideoX VAE decoder (diffusers): fit their contracts and render in text-to-video', async () => {
    await expectFits('text-encoder.onnx', 'text-encoder');
    await expectFits('dit.onnx', 'dit');
    await expectFits('vae.onnx', 'vae');
    const wrong = await runCli(['models', 'inspect', fixture('vae.onnx'), '--family', 'dit']);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toMatch(/^does not fit the dit contract:$/m);
    expect(wrong.stdout).toMatch(
      /input "hidden_states" \(float32 \[B, F, 16, H, W\]\) is missing; the model's inputs are "latents"/,
    );
    expect(wrong.stdout).toMatch(/output "sample" .* is missing; the model's outputs are "frames"/);
    await runsLikeReference(
      't2v',
      textToVideo({
        'stages.encoder.model': 'text-encoder.onnx',
        'stages.denoiser.model': 'dit.onnx',
        'stages.decoder.model': 'vae.onnx',
      }),
    );
  }, 300_000);

  it('a DiT exported at one latent size is refused before any step, naming the options that fit', () => {
    const out = join(dir, 'dit-size');
    const { args, sets } = jobArgs(
      textToVideo({ 'stages.encoder.model': 'text-encoder.onnx', 'stages.denoiser.model': 'dit.onnx' }),
    );
    const r = runReelBinary(
      [...args, ...sets, '--set', 'stages.denoiser.options.frames=9', '--progress', 'json', '--out', out],
      { timeoutMs: 120_000 },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /takes latents of 5 × 20 × 32 .* each window here is 3 × 20 × 32: set stages\.denoiser\.options frames 17 or more \(with windowLatentFrames 5\)/,
    );
    expect(r.stderr).not.toMatch(/"type":"step"/); // no denoising step ran
    expect(existsSync(join(out, 'video.mp4'))).toBe(false);
  }, 300_000);
});
