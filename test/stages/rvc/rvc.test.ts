/** RVC pre-processing (pitch, alignment, long-input cuts) and the content-encoder + rvc reference models end to end. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resampledLength } from '../../../src/dsp/index.ts';
import { alignedFrames, upsampleFeatures } from '../../../stages/rvc/features.ts';
import { autoPitchShift, rvcPitchInputs, voicedMedian } from '../../../stages/rvc/pitch.ts';
import { encodeContent, rvcInputSignal } from '../../../stages/content-encoder/features.ts';
import { convertVoice } from './rvc-runner.ts';
import { synthesizeRvc } from '../../../stages/rvc/synthesizer.ts';
import { reflectPad, rvcCutPoints, rvcSegments } from './segments.ts';
import { contentEncoder } from '../../../stages/content-encoder/index.ts';
import { rvc } from '../../../stages/rvc/index.ts';
import { openStageModel, type Model } from '../../../stages/shared/open-model.ts';
import { testContext } from '../../helpers/stage-harness.ts';

/** A voiced vowel-like tone: harmonics of f0 with a slow amplitude swell. */
function voiced(seconds: number, rate: number, f0: number): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * rate) }, (_, i) => {
    const t = i / rate;
    let v = 0;
    for (let k = 1; k <= 6; k++) v += Math.sin(2 * Math.PI * k * f0 * t) / k;
    return 0.3 * v * (0.6 + 0.4 * Math.sin(2 * Math.PI * 1.5 * t));
  });
}

describe('RVC pitch inputs', () => {
  it('transposes by 2^(key/12) and bins with 1127·ln(1 + f/700) onto 1..255', () => {
    const f0 = Float32Array.from([0, 50, 100, 275, 1100, 3000]);
    const { pitch, pitchf } = rvcPitchInputs(f0, 12);
    expect(Array.from(pitchf)).toEqual([0, 100, 200, 550, 2200, 6000]);
    const mel = (f: number) => 1127 * Math.log(1 + f / 700);
    const bin = (f: number) => Math.round(((mel(f) - mel(50)) * 254) / (mel(1100) - mel(50)) + 1);
    expect(Array.from(pitch)).toEqual([1, bin(100), bin(200), bin(550), 255, 255]);
  });

  it('auto-pitch = 12·log2(median ref / median source) over voiced frames', () => {
    const src = Float32Array.from([0, 100, 110, 90, 0, 0]);
    const ref = Float32Array.from([150, 0, 160, 140]);
    expect(voicedMedian(src)).toBe(100);
    expect(voicedMedian(ref)).toBe(150);
    expect(autoPitchShift(src, ref)).toBeCloseTo(12 * Math.log2(1.5), 10);
    expect(() => autoPitchShift(new Float32Array(4), ref)).toThrow(/voiced/);
  });
});

describe('RVC frame alignment and cuts', () => {
  it('repeats each feature frame twice and aligns T to min(samples/160, 2·frames)', () => {
    const f = Float32Array.from([1, 2, 3, 4, 5, 6]); // 3 frames × 2
    expect(Array.from(upsampleFeatures(f, 3, 2))).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6]);
    expect(alignedFrames(16000, 49)).toBe(98);
    expect(alignedFrames(16000, 60)).toBe(100);
  });

  it('reflect-pads like numpy', () => {
    expect(Array.from(reflectPad(Float32Array.from([1, 2, 3]), 2, 3))).toEqual([3, 2, 1, 2, 3, 2, 1, 2]);
  });

  it('cuts only long clips, at the first quietest 160-sample sum near each centre, floored to a frame', () => {
    const n = 40000;
    const a = Float32Array.from({ length: n }, (_, i) => 0.5 + 0.1 * Math.sin(i * 0.01));
    a.fill(0, 17000, 17600); // sum[i] = 0 for i in [17080, 17520]
    const opts = { centerSeconds: 1, querySeconds: 0.3, maxSeconds: 1.5 };
    expect(rvcCutPoints(a, opts)).toEqual([Math.floor(17080 / 160) * 160, expect.any(Number)]);
    expect(rvcCutPoints(a, { ...opts, maxSeconds: 3 })).toEqual([]);
    // Segments over the padded clip: [s, t + 2·pad + 160) then [t, end).
    expect(rvcSegments(n, [16960], 0.25)).toEqual([
      { start: 0, end: 16960 + 8000 + 160 },
      { start: 16960, end: n + 8000 },
    ]);
  });
});

describe('RVC reference models end to end', () => {
  let encoder: Model;
  let synthesizer: Model;
  beforeAll(async () => {
    encoder = await openStageModel(testContext(contentEncoder), 'encoder', 'content-encoder');
    synthesizer = await openStageModel(testContext(rvc), 'synthesizer', 'rvc');
  });
  afterAll(async () => {
    await encoder?.release();
    await synthesizer?.release();
  });

  it('conditions input like RVC (16 kHz, 48 Hz high-pass) and encodes ⌊(N − 400)/320⌋ + 1 frames of 768', async () => {
    const rate = 44100;
    const rms = (x: Float32Array, from: number, to: number) =>
      Math.sqrt(x.subarray(from, to).reduce((a, v) => a + v * v, 0) / (to - from));
    const hum = Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * 20 * i) / rate));
    const voice = Float32Array.from({ length: rate }, (_, i) => Math.sin((2 * Math.PI * 300 * i) / rate));
    const humOut = rvcInputSignal(hum, rate);
    const voiceOut = rvcInputSignal(voice, rate);
    expect(humOut).toHaveLength(16000);
    // Order-5 Butterworth at 48 Hz, applied forward and backward: 20 Hz is ≈ 2·5·20·log10(48/20) ≈ 76 dB down.
    expect(rms(humOut, 2000, 14000)).toBeLessThan(0.01 * rms(hum, 0, rate));
    expect(rms(voiceOut, 2000, 14000)).toBeCloseTo(Math.SQRT1_2, 2);
    const f = await encodeContent(encoder, voiceOut.subarray(0, 5000));
    expect([f.frames, f.dim]).toEqual([Math.floor((5000 - 400) / 320) + 1, 768]);
    expect(f.data).toHaveLength(f.frames * 768);
    await expect(encodeContent(encoder, voiceOut.subarray(0, 399))).rejects.toThrow(/400 samples/);
  });

  it('feeds phone, pitch, pitchf and rnd with one aligned T and checks T·hop', async () => {
    const seen: Record<string, number[]> = {};
    const recorded: Pick<Model, 'run' | 'path'> = {
      path: synthesizer.path,
      run: (feeds) => {
        for (const [k, v] of Object.entries(feeds)) seen[k] = [...v.dims];
        return synthesizer.run(feeds);
      },
    };
    // 10 feature frames → 20 at 100/s; 25 pitch frames; 3300 samples → ⌊3300/160⌋ = 20: T = 20.
    const features = Float32Array.from({ length: 10 * 768 }, (_, i) => Math.sin(i * 0.01));
    const pitch = rvcPitchInputs(Float32Array.from({ length: 25 }, (_, i) => (i % 4 ? 150 : 0)));
    const out = await synthesizeRvc(recorded, {
      features,
      featureFrames: 10,
      featureDim: 768,
      pitch,
      samples16k: 3300,
    });
    expect(out.frames).toBe(20);
    expect(out.audio).toHaveLength(20 * 400);
    expect(seen).toMatchObject({
      phone: [1, 20, 768],
      phone_lengths: [1],
      pitch: [1, 20],
      pitchf: [1, 20],
      ds: [1],
      rnd: [1, 192, 20],
    });
    await expect(
      synthesizeRvc(recorded, { features, featureFrames: 10, featureDim: 768, pitch, samples16k: 3300 }, { hop: 320 }),
    ).rejects.toThrow(/expected 6400/);
  });

  it('converts a voiced signal: frames·hop per segment, exact output duration, seeded noise', async () => {
    const input = voiced(1.2, 22050, 140);
    const run = (seed: number, extra = {}) =>
      convertVoice({ encoder, synthesizer }, input, { sampleRate: 22050, padSeconds: 0.25, seed, ...extra });
    const a = await run(3);
    expect(a.sampleRate).toBe(40000);
    expect(a.audio).toHaveLength(resampledLength(input.length, 22050, 40000));
    expect(a.segments).toHaveLength(1);
    // One segment of T frames × 400 samples; after the leading x_pad (0.25 s at 40 kHz) the model
    // still covers the whole clip, so nothing is zero-filled.
    expect(a.segments[0].frames * 400 - 10000).toBeGreaterThanOrEqual(a.audio.length);
    expect(a.modelSamples).toBe(a.audio.length);
    // T = ⌊padded samples / 160⌋ (content frames ×2 cover it or cap it)
    const padded16k = resampledLength(input.length, 22050, 16000) + 2 * 4000;
    expect(a.segments[0].frames).toBe(
      Math.min(Math.floor(padded16k / 160), 2 * (Math.floor((padded16k - 400) / 320) + 1)),
    );
    expect(a.audio.every(Number.isFinite)).toBe(true);
    const again = await run(3);
    expect(again.audio).toEqual(a.audio);
    const other = await run(4);
    expect(other.audio).not.toEqual(a.audio);
  });

  it('cuts a long clip into segments and still returns the exact duration; auto-pitch finds an octave', async () => {
    const input = voiced(2, 16000, 120);
    const cut = await convertVoice({ encoder, synthesizer }, input, {
      sampleRate: 16000,
      padSeconds: 0.2,
      centerSeconds: 0.8,
      querySeconds: 0.2,
      maxSeconds: 1,
    });
    expect(cut.segments.length).toBe(3);
    expect(cut.audio).toHaveLength(80000);
    expect(cut.modelSamples).toBe(80000);
    const auto = await convertVoice({ encoder, synthesizer }, voiced(0.6, 16000, 120), {
      sampleRate: 16000,
      padSeconds: 0.2,
      reference: { audio: voiced(0.6, 16000, 240), sampleRate: 16000 },
    });
    expect(auto.semitones).toBeCloseTo(12, 0);
  });
});
