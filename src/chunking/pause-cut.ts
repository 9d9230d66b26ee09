/**
 * Cuts at pauses: near each grid point, the chunk boundary goes to the middle of the longest
 * stretch without speech, by a voice activity model's speech probability per 32 ms frame
 * (`chunking.splitAt: vad`). The quietest point (RVC's rule) cuts inside speech wherever a pause
 * is noisier than a soft syllable; a pause found by a model does not.
 *
 * The model reads the search window and `warmupSeconds` before it (a recurrent model's state
 * settles there from zero), resampled to 16 kHz mono: the same samples for the same target however
 * the stream arrives, so a streamed clip and a clip held whole are cut alike. Where the window
 * holds no pause frame at all, the quietest point is taken.
 */
import { resample } from '../dsp/resample.ts';
import type { CutInput, CutRule } from './cut-rule.ts';
import type { ChunkGeometry } from './geometry.ts';
import { cutCandidates, quietestCut, silenceLookaheadUnits } from './silence.ts';

/** The model's rate and frame: 512 samples at 16 kHz (Silero VAD). */
const PROBE_RATE = 16000;
const PROBE_FRAME = 512;

/**
 * Speech probability of each 512-sample frame of a 16 kHz mono signal (the last frame zero-padded);
 * the first `warmupFrames` frames only settle the model's state.
 */
export type SpeechProbe = (signal: Float32Array, warmupFrames: number) => Promise<Float32Array>;

export interface PauseRuleOptions {
  geometry: ChunkGeometry;
  /** Units per second of the chunked signal. */
  sampleRate: number;
  /** Interleaved channels per unit; mixed to mono for the model. */
  channels: number;
  probe: SpeechProbe;
  /** A frame is a pause below this speech probability. @defaultValue 0.5 (Silero's threshold) */
  threshold?: number;
  /** Signal before the search that the model runs over first, seconds. @defaultValue 1 */
  warmupSeconds?: number;
}

/** What the rule has done, for the run's log line. */
export interface PauseRuleCounts {
  /** Cuts placed in a pause. */
  pauses: number;
  /** Cuts at the quietest point: no pause in the search window. */
  quietest: number;
}

interface PendingCut {
  target: number;
  /** First candidate and the end of the candidates, units (granule multiples from `lo`). */
  lo: number;
  hi: number;
  /** Units the model reads: [from, from + mono.length). */
  from: number;
  mono: Float32Array;
  /** The quietest point, taken when no frame is a pause. */
  quietest: number;
}

export function pauseRule(o: PauseRuleOptions): CutRule & { readonly counts: PauseRuleCounts } {
  const g = o.geometry;
  const rate = o.sampleRate;
  const threshold = o.threshold ?? 0.5;
  const warmupUnits = Math.ceil((o.warmupSeconds ?? 1) * rate);
  const warmupFrames = Math.ceil(((o.warmupSeconds ?? 1) * PROBE_RATE) / PROBE_FRAME);
  // One model frame in units, rounded up: the frame holding the search's last unit is read whole.
  const frameUnits = Math.ceil((PROBE_FRAME * rate) / PROBE_RATE);
  /** The cut `prepare` decided, until the chunker asks for it again. */
  let decided: { target: number; cut: number } | undefined;
  const counts: PauseRuleCounts = { pauses: 0, quietest: 0 };
  let pending: PendingCut | undefined;

  const snapshot = (input: CutInput): PendingCut | number => {
    const { view, target } = input;
    const total = input.totalUnits ?? Number.POSITIVE_INFINITY;
    const { lo, hi } = cutCandidates(input);
    if (lo >= hi) return target;
    const from = Math.max(0, target - g.searchUnits - warmupUnits);
    const to = Math.min(target + g.searchUnits + frameUnits, total);
    const mono = new Float32Array(to - from);
    const c = view.channels;
    for (let u = from; u < to; u++) {
      let sum = 0;
      const base = (u - view.offset) * c;
      for (let k = 0; k < c; k++) sum += view.data[base + k];
      mono[u - from] = sum / c;
    }
    return { target, lo, hi, from, mono, quietest: quietestCut(input) };
  };

  const decide = async (p: PendingCut): Promise<number> => {
    const signal = rate === PROBE_RATE ? p.mono : resample(p.mono, { inputRate: rate, outputRate: PROBE_RATE });
    const probabilities = await o.probe(signal, warmupFrames);
    const unitAt = (frame: number) => p.from + Math.round((frame * PROBE_FRAME * rate) / PROBE_RATE);
    let best: { length: number; distance: number; middle: number } | undefined;
    for (let f = 0; f < probabilities.length; ) {
      if (probabilities[f] >= threshold) {
        f++;
        continue;
      }
      let e = f;
      while (e < probabilities.length && probabilities[e] < threshold) e++;
      const a = Math.max(unitAt(f), p.lo);
      const b = Math.min(unitAt(e), p.hi);
      if (b > a) {
        const middle = Math.floor((a + b) / 2);
        const distance = Math.abs(middle - p.target);
        if (!best || b - a > best.length || (b - a === best.length && distance < best.distance))
          best = { length: b - a, distance, middle };
      }
      f = e;
    }
    if (!best) {
      counts.quietest++;
      return p.quietest;
    }
    counts.pauses++;
    const step = g.granularityUnits;
    const last = p.lo + Math.floor((p.hi - 1 - p.lo) / step) * step;
    return Math.min(last, Math.max(p.lo, p.lo + Math.floor((best.middle - p.lo) / step) * step));
  };

  return {
    counts,
    lookaheadUnits: Math.max(silenceLookaheadUnits(g), g.searchUnits + frameUnits),
    reachBackUnits: Math.max(Math.floor(g.silenceWindowUnits / 2), warmupUnits),
    cut(input) {
      if (decided?.target === input.target) {
        const { cut } = decided;
        decided = undefined;
        return cut;
      }
      const taken = snapshot(input);
      if (typeof taken === 'number') return taken;
      pending = taken;
      return undefined;
    },
    async prepare() {
      if (!pending) return false;
      const p = pending;
      pending = undefined;
      decided = { target: p.target, cut: await decide(p) };
      return true;
    },
  };
}
