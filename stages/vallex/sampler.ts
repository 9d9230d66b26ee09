/**
 * Sampling of the next codebook-1 token from the AR logits, as VALL-E's `topk_sampling`:
 * logits / temperature, keep the top k (0 = all), softmax, draw with a seeded uniform. Ties in the
 * top-k cut keep the lower index, so the kept set is deterministic.
 */
import { InputError } from '../../src/core/errors.ts';
import type { SeededRandom } from '../shared/seeded-random.ts';

export interface SamplerOptions {
  /** Divides the logits; lower = more deterministic. @defaultValue 1 */
  temperature?: number;
  /** Sample among the k largest logits; 0 = all. @defaultValue 0 */
  topK?: number;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Called once per generated token (75 a second of speech): typed arrays, no per-step closures. */
export function sampleToken(logits: ArrayLike<number>, random: SeededRandom, options: SamplerOptions = {}): number {
  const { temperature = 1, topK = 0 } = options;
  if (!(temperature > 0)) throw new InputError(`temperature = ${temperature}: expected > 0`);
  const n = logits.length;
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (topK > 0 && topK < n) order = order.sort((a, b) => logits[b] - logits[a] || a - b).slice(0, topK);
  const m = order.length;
  let max = -Infinity;
  for (let k = 0; k < m; k++) max = Math.max(max, logits[order[k]] / temperature);
  const weights = new Float64Array(m);
  let total = 0;
  for (let k = 0; k < m; k++) total += weights[k] = Math.exp(logits[order[k]] / temperature - max);
  let u = random.uniform() * total;
  for (let k = 0; k < m; k++) {
    u -= weights[k];
    if (u < 0) return order[k];
  }
  return order[m - 1];
}
