/**
 * FastPitch's length regulator (DLE fastpitch/model.py `regulate_len`): each text token is
 * repeated `reps = ⌊dur/pace + 0.5⌋` times, so the mel length is the sum of the reps. pace > 1
 * speaks faster. Computed in float32 as the model does, so the count matches `num_frames`.
 */
import { InputError } from '../../src/core/errors.ts';

/** Frames per token. */
export function tokenRepeats(durations: ArrayLike<number>, pace = 1): Int32Array {
  if (!(pace > 0) || !Number.isFinite(pace)) throw new InputError(`pace = ${pace}: expected a positive number`);
  const reps = new Int32Array(durations.length);
  for (let i = 0; i < durations.length; i++) {
    reps[i] = Math.max(0, Math.floor(Math.fround(Math.fround(durations[i]) / Math.fround(pace)) + 0.5));
  }
  return reps;
}

/** Mel frames of a sentence: Σ ⌊dur/pace + 0.5⌋. */
export function regulatedFrames(durations: ArrayLike<number>, pace = 1): number {
  return tokenRepeats(durations, pace).reduce((a, b) => a + b, 0);
}

/** Index of the token each mel frame comes from (the regulator's gather map). */
export function frameToToken(durations: ArrayLike<number>, pace = 1): Int32Array {
  const reps = tokenRepeats(durations, pace);
  const map = new Int32Array(reps.reduce((a, b) => a + b, 0));
  let f = 0;
  reps.forEach((r, token) => {
    map.fill(token, f, f + r);
    f += r;
  });
  return map;
}
