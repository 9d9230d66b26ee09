/**
 * Wav2Lip's audio features (Rudrabha/Wav2Lip `audio.py` with `hparams.py`): 16 kHz audio,
 * pre-emphasis 0.97, |STFT| (n_fft 800, hop 200, Hann 800, centred, reflect pad), librosa Slaney
 * mel 80 bands 55–7600 Hz, S = 20·log10(max(1e-5, M)) − 20 dB, then the symmetric normalisation
 * clip(8·(S + 100)/100 − 4, −4, 4). The result is [80, T] at 80 frames/s.
 */
import { preEmphasis } from './filters.ts';
import { melFilterbank, type MelFilterbank } from './mel-filterbank.ts';
import { melSpectrogram, type MelSpectrogram } from './mel-spectrogram.ts';
import { StftPlan, type PadMode } from './stft.ts';

export const WAV2LIP_MEL = {
  /** Hz */ sampleRate: 16000,
  /** samples */ nFft: 800,
  /** samples (80 frames/s) */ hop: 200,
  /** samples */ winLength: 800,
  nMels: 80,
  /** Hz */ fmin: 55,
  /** Hz */ fmax: 7600,
  preemphasis: 0.97,
  /** dB */ refLevelDb: 20,
  /** dB */ minLevelDb: -100,
  maxAbsValue: 4,
} as const;

export interface Wav2LipMelOptions {
  /** STFT centring pad; Wav2Lip ran librosa < 0.10, whose default was reflect. @defaultValue 'reflect' */
  padMode?: PadMode;
}

/** Builds the plan once; `compute` may then run on any number of 16 kHz signals. */
export class Wav2LipMel {
  private readonly stft: StftPlan;
  private readonly bank: MelFilterbank;

  constructor(options: Wav2LipMelOptions = {}) {
    const p = WAV2LIP_MEL;
    this.stft = new StftPlan({
      nFft: p.nFft,
      hop: p.hop,
      winLength: p.winLength,
      padMode: options.padMode ?? 'reflect',
    });
    this.bank = melFilterbank({ sampleRate: p.sampleRate, nFft: p.nFft, nMels: p.nMels, fmin: p.fmin, fmax: p.fmax });
  }

  /** The librosa mel basis used, [80][401] row-major. */
  get filterbank(): MelFilterbank {
    return this.bank;
  }

  /** Frames for `samples` samples of 16 kHz audio: 1 + ⌊samples/200⌋. */
  frameCount(samples: number): number {
    return this.stft.frameCount(samples);
  }

  /** Normalised mel, [80, T] band-major, values in [−4, 4]. `wav` is 16 kHz mono PCM. */
  compute(wav: Float32Array): MelSpectrogram {
    const { refLevelDb, minLevelDb, maxAbsValue, preemphasis } = WAV2LIP_MEL;
    const minLevel = 10 ** (minLevelDb / 20); // 1e-5
    return melSpectrogram(preEmphasis(wav, preemphasis), this.stft, this.bank, (mel) => {
      for (let m = 0; m < mel.length; m++) {
        const db = 20 * Math.log10(Math.max(minLevel, mel[m])) - refLevelDb;
        const v = 2 * maxAbsValue * ((db - minLevelDb) / -minLevelDb) - maxAbsValue;
        mel[m] = v < -maxAbsValue ? -maxAbsValue : Math.min(v, maxAbsValue);
      }
    });
  }
}

/** One-shot form of `new Wav2LipMel().compute(wav)`. */
export function wav2lipMel(wav: Float32Array, options?: Wav2LipMelOptions): MelSpectrogram {
  return new Wav2LipMel(options).compute(wav);
}
