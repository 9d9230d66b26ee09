/**
 * The pipeline's chunk grid as a source sees it: chunk boundaries fall on multiples of the
 * consumers' granularity (seconds), and a source that counts in samples or frames must map that
 * grid onto its own units without drift. Units are whole numbers throughout; seconds are derived
 * from them (units / rate), never accumulated.
 */
import { MediaError } from '../../src/core/errors.ts';

/** Float noise allowed when asking whether seconds × rate is a whole number (0.02 × 44100). */
const EPS = 1e-6;

/**
 * Samples in one granule: the smallest whole multiple of `granularitySeconds × rate` (a 0.02 s
 * hop is 882 samples at 44.1 kHz, but at 11.025 kHz 220.5 is not whole, so the granule is two
 * hops, 441 samples). 1 when there is no granularity.
 */
export function granuleUnits(file: string, granularitySeconds: number, rate: number): number {
  if (!(granularitySeconds > 0)) return 1;
  const units = granularitySeconds * rate;
  for (let n = 1; n <= 1000; n++) {
    const whole = Math.round(units * n);
    if (whole >= 1 && Math.abs(units * n - whole) < EPS * n) return whole;
  }
  throw new MediaError(
    file,
    `chunk boundaries must fall on multiples of ${granularitySeconds} s, which no whole number of samples at ${rate} Hz matches;` +
      " set the source's sampleRate to a common rate (16000, 22050, 44100, 48000)",
  );
}

/** Chunk length rounded up to a multiple of the granularity, seconds (the grid sources cut on). */
export function gridChunkSeconds(chunkSeconds: number, granularitySeconds: number): number {
  if (!(granularitySeconds > 0)) return chunkSeconds;
  return Math.max(1, Math.ceil(chunkSeconds / granularitySeconds - EPS)) * granularitySeconds;
}

/** Human-readable size for messages: 1.9 GiB, 312 MiB, 192 KiB. */
export function formatBytes(bytes: number): string {
  const gib = bytes / 2 ** 30;
  if (gib >= 1) return `${gib.toFixed(1)} GiB`;
  return bytes >= 2 ** 20 ? `${Math.round(bytes / 2 ** 20)} MiB` : `${Math.ceil(bytes / 2 ** 10)} KiB`;
}

/** Human-readable duration for messages: 12.5 min, 37.3 s. */
export function formatSeconds(seconds: number): string {
  return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds.toFixed(1)} s`;
}
