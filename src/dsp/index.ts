/** reel's signal processing: FFT, STFT, mel features of each model family, resampling, filters, F0. */
export { DspError } from './errors.ts';
export { ComplexFft } from './fft.ts';
export { RealFft } from './real-fft.ts';
export { hannWindow, kaiserAt } from './window.ts';
export { StftPlan, reflectIndex, type StftOptions, type PadMode, type Spectrogram } from './stft.ts';
export {
  melFilterbank,
  applyMelFilterbank,
  hzToMel,
  melToHz,
  type MelFilterbank,
  type MelFilterbankOptions,
} from './mel-filterbank.ts';
export { melSpectrogram, type MelSpectrogram } from './mel-spectrogram.ts';
export { Wav2LipMel, wav2lipMel, WAV2LIP_MEL, type Wav2LipMelOptions } from './wav2lip-mel.ts';
export { FastPitchMel, fastpitchMel, FASTPITCH_MEL, type FastPitchMelOptions } from './fastpitch-mel.ts';
export {
  StreamingResampler,
  resample,
  resampleSlice,
  resampleSliceInput,
  type SignalParts,
  resampledLength,
  type ResampleOptions,
} from './resample.ts';
export {
  preEmphasis,
  butterworth,
  sosFilter,
  filtfilt,
  rvcHighPass,
  type SosFilter,
  type ButterworthOptions,
  type FiltfiltOptions,
} from './filters.ts';
export { YinPitchTracker, yinF0, type YinOptions } from './f0.ts';
export { coarsePitch, transposeF0, rvcMel, RVC_F0_RANGE, type CoarsePitchOptions } from './coarse-pitch.ts';
