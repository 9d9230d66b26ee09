/**
 * Wav2Lip's and FastPitch's mel features against the golden values in shared/golden/mel.json,
 * computed with librosa/numpy from the published algorithms (never copied into this repo).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FastPitchMel, FASTPITCH_MEL } from '../../src/dsp/fastpitch-mel.ts';
import type { MelFilterbank } from '../../src/dsp/mel-filterbank.ts';
import type { MelSpectrogram } from '../../src/dsp/mel-spectrogram.ts';
import { Wav2LipMel, WAV2LIP_MEL } from '../../src/dsp/wav2lip-mel.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const goldenPath = path.resolve(repoRoot, '../shared/golden/mel.json');

interface GoldenCase {
  params: Record<string, number>;
  input: number[];
  filterbank: number[][];
  mel: number[][];
}
const golden = JSON.parse(readFileSync(goldenPath, 'utf8')) as { wav2lip: GoldenCase; fastpitch: GoldenCase };

function maxFilterbankError(bank: MelFilterbank, want: number[][]): number {
  expect([bank.nMels, bank.bins]).toEqual([want.length, want[0].length]);
  let err = 0;
  want.forEach((row, m) => row.forEach((w, k) => (err = Math.max(err, Math.abs(bank.weights[m * bank.bins + k] - w)))));
  return err;
}

function maxMelError(mel: MelSpectrogram, want: number[][]): number {
  let err = 0;
  want.forEach((row, m) => row.forEach((v, t) => (err = Math.max(err, Math.abs(mel.data[m * mel.frames + t] - v)))));
  return err;
}

describe('Wav2Lip mel', () => {
  const g = golden.wav2lip;
  const features = new Wav2LipMel();

  it('uses the golden parameters', () => {
    const p = WAV2LIP_MEL;
    expect(g.params).toMatchObject({
      sr: p.sampleRate,
      n_fft: p.nFft,
      hop: p.hop,
      win: p.winLength,
      n_mels: p.nMels,
      fmin: p.fmin,
      fmax: p.fmax,
      preemphasis: p.preemphasis,
      ref_level_db: p.refLevelDb,
      min_level_db: p.minLevelDb,
      max_abs_value: p.maxAbsValue,
    });
  });

  it("builds librosa's Slaney filterbank within 1e-6", () => {
    expect(maxFilterbankError(features.filterbank, g.filterbank)).toBeLessThan(1e-6);
  });

  it('matches the golden normalised mel within 1e-3 with the exact frame count', () => {
    const mel = features.compute(Float32Array.from(g.input));
    expect(mel.nMels).toBe(80);
    expect(mel.frames).toBe(g.mel[0].length);
    expect(features.frameCount(g.input.length)).toBe(g.mel[0].length);
    expect(maxMelError(mel, g.mel)).toBeLessThan(1e-3);
  });

  it('stays within [−4, 4] and floors silence at the minimum level', () => {
    const mel = features.compute(new Float32Array(1600));
    expect(mel.frames).toBe(9);
    for (const v of mel.data) expect(v).toBe(-4);
  });
});

describe('FastPitch log-mel', () => {
  const g = golden.fastpitch;
  const features = new FastPitchMel();

  it('uses the golden parameters', () => {
    const p = FASTPITCH_MEL;
    expect(g.params).toMatchObject({
      sr: p.sampleRate,
      n_fft: p.nFft,
      hop: p.hop,
      win: p.winLength,
      n_mels: p.nMels,
      fmin: p.fmin,
      fmax: p.fmax,
      log_floor: p.logFloor,
    });
  });

  it("builds librosa's Slaney filterbank within 1e-6", () => {
    expect(maxFilterbankError(features.filterbank, g.filterbank)).toBeLessThan(1e-6);
  });

  it('matches the golden log-mel within 1e-4 with the exact frame count', () => {
    const mel = features.compute(Float32Array.from(g.input));
    expect(mel.frames).toBe(g.mel[0].length);
    expect(maxMelError(mel, g.mel)).toBeLessThan(1e-4);
  });
});
