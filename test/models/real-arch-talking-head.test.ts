/**
 * Real-architecture fixtures in talking-head (test/helpers/real-arch.ts): EnCodec, HiFi-GAN,
 * Wav2Lip, FastPitch, VALL-E X.
 */
import { describe, it } from 'vitest';
import { expectFits, runsLikeReference, talkingHead } from '../helpers/real-arch.ts';

describe('real-architecture fixtures: talking-head', () => {
  it('EnCodec (transformers) as the VALL-E X codec: fits the contract and speaks in talking-head', async () => {
    await expectFits('vallex-codec.onnx', 'vallex-codec');
    await runsLikeReference('codec', talkingHead({ 'stages.tts.model.codec': 'vallex-codec.onnx' }));
  }, 300_000);

  it('HiFi-GAN (jik876/hifi-gan Generator) as the vocoder: fits the contract and speaks in talking-head --profile fast', async () => {
    await expectFits('hifigan.onnx', 'hifigan');
    await runsLikeReference('hifigan', talkingHead({ 'stages.vocoder.model': 'hifigan.onnx' }, ['--profile', 'fast']));
  }, 300_000);

  it('Wav2Lip (Rudrabha/Wav2Lip, its class at 1/16 width): fits the contract and lip-syncs in talking-head', async () => {
    await expectFits('wav2lip.onnx', 'wav2lip');
    await runsLikeReference(
      'wav2lip',
      talkingHead({ 'stages.lipsync.model': 'wav2lip.onnx' }, [], { video: 'video.mp4' }),
    );
  }, 300_000);

  it('FastPitch (NVIDIA DeepLearningExamples) as the acoustic model: fits the contract and speaks in talking-head --profile fast', async () => {
    await expectFits('fastpitch.onnx', 'fastpitch');
    await runsLikeReference(
      'fastpitch',
      talkingHead({ 'stages.acoustic.model': 'fastpitch.onnx' }, ['--profile', 'fast'], { lengthTolerance: 0.15 }),
    );
  }, 300_000);

  it('VALL-E X (Plachtaa/VALL-E-X) AR step and NAR decoder: fit their contracts and speak in talking-head', async () => {
    await expectFits('vallex-ar.onnx', 'vallex-ar');
    await expectFits('vallex-nar.onnx', 'vallex-nar');
    await runsLikeReference(
      'vallex',
      talkingHead({ 'stages.tts.model.ar': 'vallex-ar.onnx', 'stages.tts.model.nar': 'vallex-nar.onnx' }),
    );
  }, 300_000);
});
