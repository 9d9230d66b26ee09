/**
 * RVC voice conversion end to end on the two ONNX models (content encoder, synthesizer), following
 * the WebUI pipeline: resample to 16 kHz → high-pass (Butterworth 5 @ 48 Hz, filtfilt) → reflect-
 * pad x_pad → F0 (YIN, 100 frames/s) → transpose → per segment: features ×2 → aligned T →
 * `phone, phone_lengths, pitch, pitchf, ds, rnd` → audio (T·hop) → trim x_pad → join.
 * The joined audio has the clip's exact duration at the output rate (zero-padded at the end only
 * when x_pad is too short to cover the frames the content encoder drops), so sample counts of
 * chunks never drift.
 */
import { InputError } from '../../../src/core/errors.ts';
import { resampledLength, yinF0 } from '../../../src/dsp/index.ts';
import { CONTENT_MIN_SAMPLES, encodeContent, rvcInputSignal } from '../../../stages/content-encoder/features.ts';
import type { Model } from '../../../stages/shared/open-model.ts';
import { autoPitchShift, rvcPitchInputs } from '../../../stages/rvc/pitch.ts';
import { reflectPad, rvcCutPoints, rvcSegments, RVC_WINDOW, type RvcSegmentOptions } from './segments.ts';
import { synthesizeRvc } from '../../../stages/rvc/synthesizer.ts';

const RATE16K = 16000;

export interface RvcModels {
  encoder: Pick<Model, 'run' | 'path'>;
  synthesizer: Pick<Model, 'run' | 'path'>;
}

export interface VoiceConversionOptions extends RvcSegmentOptions {
  /** Rate of the input audio, Hz. */
  sampleRate: number;
  /** Synthesizer output rate, Hz (hop = rate/100). @defaultValue 40000 */
  outputRate?: 32000 | 40000 | 48000;
  /** Transpose, semitones. @defaultValue 0 */
  semitones?: number;
  /** Target-voice sample; when given, the median-F0 shift to it is added to `semitones`. */
  reference?: { audio: Float32Array; sampleRate: number };
  /** `ds`. @defaultValue 0 */
  speakerId?: number;
  /** Noise seed (the segment index is added). @defaultValue 0 */
  seed?: number;
  /** `rnd` = N(0,1) × this. @defaultValue 0.66666 */
  noiseScale?: number;
  /** F0 search range, Hz. @defaultValue 50 / 1100 */
  f0MinHz?: number;
  f0MaxHz?: number;
}

export interface VoiceConversion {
  audio: Float32Array;
  sampleRate: number;
  /** Transpose applied, semitones (auto-pitch included). */
  semitones: number;
  /** Segments run, in samples of the padded 16 kHz clip. */
  segments: Array<{ start: number; end: number; frames: number }>;
  /** Model samples kept (after trimming x_pad); equals audio.length unless the end was zero-filled. */
  modelSamples: number;
}

export async function convertVoice(
  models: RvcModels,
  audio: Float32Array,
  options: VoiceConversionOptions,
): Promise<VoiceConversion> {
  const {
    sampleRate,
    outputRate = 40000,
    speakerId = 0,
    seed = 0,
    noiseScale = 0.66666,
    f0MinHz = 50,
    f0MaxHz = 1100,
    padSeconds = 1,
  } = options;
  const hop = outputRate / 100;
  const wav = rvcInputSignal(audio, sampleRate);
  if (wav.length < CONTENT_MIN_SAMPLES)
    throw new InputError(`RVC needs at least ${CONTENT_MIN_SAMPLES} samples at 16 kHz (25 ms); got ${wav.length}`);
  const f0Options = { sampleRate: RATE16K, hop: RVC_WINDOW, fmin: f0MinHz, fmax: f0MaxHz };
  let semitones = options.semitones ?? 0;
  if (options.reference)
    semitones += autoPitchShift(
      yinF0(wav, f0Options),
      yinF0(rvcInputSignal(options.reference.audio, options.reference.sampleRate), f0Options),
    );

  // x_pad in whole 10 ms frames, so the trimmed output lines up with the input frame for frame.
  const padFrames = Math.round(padSeconds * 100);
  const pad = padFrames * RVC_WINDOW;
  const padTarget = padFrames * hop;
  const padded = reflectPad(wav, pad, pad);
  const f0 = yinF0(padded, f0Options).subarray(0, Math.floor(padded.length / RVC_WINDOW));
  const { pitch, pitchf } = rvcPitchInputs(f0, semitones, { fmin: f0MinHz, fmax: f0MaxHz });

  const result = new Float32Array(resampledLength(audio.length, sampleRate, outputRate));
  let at = 0;
  let modelSamples = 0;
  const segments: VoiceConversion['segments'] = [];
  const plan = rvcSegments(wav.length, rvcCutPoints(wav, options), padFrames / 100);
  for (const [index, seg] of plan.entries()) {
    const source = padded.subarray(seg.start, seg.end);
    const feats = await encodeContent(models.encoder, source);
    // RVC slices pitch [s/160, (t + 2·pad)/160) for a middle segment (its audio has 160 extra samples).
    const first = Math.floor(seg.start / RVC_WINDOW);
    const last = index < plan.length - 1 ? Math.floor((seg.end - RVC_WINDOW) / RVC_WINDOW) : pitch.length;
    const { audio: y, frames: t } = await synthesizeRvc(
      models.synthesizer,
      {
        features: feats.data,
        featureFrames: feats.frames,
        featureDim: feats.dim,
        samples16k: source.length,
        pitch: { pitch: pitch.subarray(first, last), pitchf: pitchf.subarray(first, last) },
      },
      { hop, speakerId, seed: seed + index, noiseScale },
    );
    // Owned output: x_pad trimmed at the start; a middle segment owns exactly (next cut − start)
    // frames (RVC's [t_pad_tgt : −t_pad_tgt]); the last owns the rest of the clip, read from the
    // front so the frames the content encoder drops at the very end fall in the trailing x_pad.
    const own = index < plan.length - 1 ? ((plan[index + 1].start - seg.start) / RVC_WINDOW) * hop : result.length - at;
    const piece = y.subarray(Math.min(padTarget, y.length), Math.min(y.length, padTarget + own));
    result.set(piece.subarray(0, Math.max(0, result.length - at)), at);
    at += piece.length;
    modelSamples += piece.length;
    segments.push({ ...seg, frames: t });
  }
  return { audio: result, sampleRate: outputRate, semitones, segments, modelSamples };
}
