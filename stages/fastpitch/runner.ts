/**
 * One FastPitch run per sentence, against the NeMo export contract (manifest `fastpitch`):
 * `text` [1,T] int64, `pitch` [1,T] f32 (additive, in the model's normalised pitch units),
 * `pace` [1,T] f32 → `spect` [1,80,T_spec], `num_frames` [1], `durs_predicted` [1,T]. The mel is
 * cut to `num_frames` (a batch-1 run has T_spec = num_frames; a padded batch would not).
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { Model } from '../shared/open-model.ts';
import { splitSentences } from '../shared/sentences.ts';
import { f32, float32Data, i64, int64Values } from '../shared/tensors.ts';
import { fastpitchSymbolIds, type FastpitchTextOptions } from './text.ts';

const MEL_BANDS = 80;

/** A log-mel spectrogram, band-major: data[band·frames + t] (the [1, 80, T] tensor's layout). */
export interface Mel {
  data: Float32Array;
  frames: number;
}

export interface FastpitchOptions {
  /** Speaking rate: durations are divided by it. @defaultValue 1 */
  pace?: number;
  /** Additive pitch per token (or one value for all), normalised pitch units. @defaultValue 0 */
  pitch?: number | Float32Array;
}

export interface FastpitchResult {
  mel: Mel;
  /** Predicted frames per token (before pace). */
  durations: Float32Array;
}

/** What a FastPitch run needs of a model: run by the manifest's names, and its file for messages. */
export type FastpitchModel = Pick<Model, 'run' | 'path'>;

export async function runFastpitch(
  model: FastpitchModel,
  ids: readonly number[],
  options: FastpitchOptions = {},
): Promise<FastpitchResult> {
  const n = ids.length;
  if (n === 0) throw new InputError('FastPitch got no symbols: the sentence is empty after cleaning');
  const { pace = 1, pitch = 0 } = options;
  const pitchValues = typeof pitch === 'number' ? new Float32Array(n).fill(pitch) : pitch;
  if (pitchValues.length !== n) throw new InputError(`pitch has ${pitchValues.length} values for ${n} symbols`);
  const out = await model.run({
    text: i64(ids, [1, n]),
    pitch: f32(pitchValues, [1, n]),
    pace: f32(new Float32Array(n).fill(pace), [1, n]),
  });
  const frames = int64Values(out.num_frames)[0];
  const [, bands, tSpec] = out.spect.dims;
  if (bands !== MEL_BANDS || frames > tSpec) {
    throw new ModelError(
      model.path,
      `spect is [${out.spect.dims.join(',')}] with num_frames ${frames}: expected [1, 80, ≥ num_frames]`,
    );
  }
  const full = float32Data(out.spect, 'fastpitch spect');
  const data = new Float32Array(MEL_BANDS * frames);
  for (let b = 0; b < MEL_BANDS; b++) data.set(full.subarray(b * tSpec, b * tSpec + frames), b * frames);
  return {
    mel: { data, frames },
    durations: Float32Array.from(float32Data(out.durs_predicted, 'fastpitch durs_predicted')),
  };
}

/** Concatenates mels along time. */
export function concatMels(mels: readonly Mel[]): Mel {
  const frames = mels.reduce((a, m) => a + m.frames, 0);
  const data = new Float32Array(MEL_BANDS * frames);
  let at = 0;
  for (const m of mels) {
    for (let b = 0; b < MEL_BANDS; b++) data.set(m.data.subarray(b * m.frames, (b + 1) * m.frames), b * frames + at);
    at += m.frames;
  }
  return { data, frames };
}

/** A script → one mel per sentence (sentences with no symbols after cleaning are skipped). */
export async function synthesizeScript(
  model: FastpitchModel,
  script: string,
  options: { pace?: number; pitch?: number } & FastpitchTextOptions = {},
): Promise<Array<FastpitchResult & { sentence: string; ids: number[] }>> {
  const results = [];
  for (const sentence of splitSentences(script)) {
    const ids = fastpitchSymbolIds(sentence, options);
    if (ids.length === 0) continue;
    results.push({ sentence, ids, ...(await runFastpitch(model, ids, { pace: options.pace, pitch: options.pitch })) });
  }
  return results;
}
