/**
 * Mel spectrogram: |STFT| → mel filterbank, one frame at a time, with a per-frame hook where each
 * family applies its own compression (dB, log) while values are still float64.
 */
import { DspError } from './errors.ts';
import { applyMelFilterbank, type MelFilterbank } from './mel-filterbank.ts';
import type { StftPlan } from './stft.ts';

/** Mel bands × frames, band-major ([nMels, frames] as the models take it): data[m·frames + t]. */
export interface MelSpectrogram {
  data: Float32Array;
  nMels: number;
  frames: number;
}

/**
 * Mel spectrogram of `signal`. `compress` rewrites one frame's nMels energies in place (e.g. to
 * decibels) before they are stored.
 */
export function melSpectrogram(
  signal: Float32Array,
  stft: StftPlan,
  bank: MelFilterbank,
  compress: (frame: Float64Array) => void,
): MelSpectrogram {
  if (bank.bins !== stft.bins) {
    throw new DspError(`mel filterbank has ${bank.bins} bins but the STFT gives ${stft.bins}: expected the same nFft`);
  }
  const frames = stft.frameCount(signal.length);
  const { nMels } = bank;
  const data = new Float32Array(nMels * frames);
  const spectrum = new Float64Array(stft.bins);
  const mel = new Float64Array(nMels);
  for (let t = 0; t < frames; t++) {
    stft.magnitudeFrame(signal, t, spectrum);
    applyMelFilterbank(bank, spectrum, mel);
    compress(mel);
    for (let m = 0; m < nMels; m++) data[m * frames + t] = mel[m];
  }
  return { data, nMels, frames };
}
