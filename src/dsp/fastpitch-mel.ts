/**
 * FastPitch / HiFi-GAN log-mel (NVIDIA DeepLearningExamples `TacotronSTFT`): 22050 Hz audio,
 * |STFT| (n_fft 1024, hop 256, Hann 1024, centred, reflect pad), librosa Slaney mel 80 bands
 * 0–8000 Hz, then ln(max(mel, 1e-5)). The result is [80, T] at ≈ 86.13 frames/s.
 */
import { melFilterbank, type MelFilterbank } from './mel-filterbank.ts';
import { melSpectrogram, type MelSpectrogram } from './mel-spectrogram.ts';
import { StftPlan, type PadMode } from './stft.ts';

export const FASTPITCH_MEL = {
  /** Hz */ sampleRate: 22050,
  /** samples */ nFft: 1024,
  /** samples */ hop: 256,
  /** samples */ winLength: 1024,
  nMels: 80,
  /** Hz */ fmin: 0,
  /** Hz */ fmax: 8000,
  /** linear-magnitude floor before the natural log */ logFloor: 1e-5,
} as const;

export interface FastPitchMelOptions {
  /** STFT centring pad (torch.stft's default is reflect). @defaultValue 'reflect' */
  padMode?: PadMode;
}

export class FastPitchMel {
  private readonly stft: StftPlan;
  private readonly bank: MelFilterbank;

  constructor(options: FastPitchMelOptions = {}) {
    const p = FASTPITCH_MEL;
    this.stft = new StftPlan({
      nFft: p.nFft,
      hop: p.hop,
      winLength: p.winLength,
      padMode: options.padMode ?? 'reflect',
    });
    this.bank = melFilterbank({ sampleRate: p.sampleRate, nFft: p.nFft, nMels: p.nMels, fmin: p.fmin, fmax: p.fmax });
  }

  /** The librosa mel basis used, [80][513] row-major. */
  get filterbank(): MelFilterbank {
    return this.bank;
  }

  /** Frames for `samples` samples of 22050 Hz audio: 1 + ⌊samples/256⌋. */
  frameCount(samples: number): number {
    return this.stft.frameCount(samples);
  }

  /** Natural-log mel, [80, T] band-major. `wav` is 22050 Hz mono PCM in [−1, 1]. */
  compute(wav: Float32Array): MelSpectrogram {
    const floor = FASTPITCH_MEL.logFloor;
    return melSpectrogram(wav, this.stft, this.bank, (mel) => {
      for (let m = 0; m < mel.length; m++) mel[m] = Math.log(Math.max(floor, mel[m]));
    });
  }
}

/** One-shot form of `new FastPitchMel().compute(wav)`. */
export function fastpitchMel(wav: Float32Array, options?: FastPitchMelOptions): MelSpectrogram {
  return new FastPitchMel(options).compute(wav);
}
