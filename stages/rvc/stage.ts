/**
 * The rvc stage: per item, {audio k, content features k} (+ the whole `reference` voice, optional)
 * → converted speech at `sampleRate` for exactly the chunk's owned range (round(end·R) −
 * round(start·R) samples).
 *
 * The chunk is run with `padSeconds` (whole 20 ms frames) of its neighbouring chunks on each side
 * — audio for F0 and features for the synthesizer — and the output is trimmed to the owned range.
 * Frames follow the content-encoder stage's alignment: feature frame f ↔ clip time
 * [f·0.02, (f+1)·0.02), repeated ×2 onto pitch frames 2f, 2f+1, pitch frame p being the YIN frame
 * centred on 16 kHz sample 160·p (100 frames/s). The synthesizer's output sample 0 is then at the
 * window's start. The noise is drawn per absolute frame (noise.ts). With context ≥ the
 * synthesizer's receptive field, chunked output equals whole-clip output but for the F0 and
 * features' own edge effects.
 *
 * Auto-pitch (`autoPitch` with `reference` wired): the transpose that moves the source's median
 * voiced F0 onto the reference's. A stream cannot know the whole source's median up front, and a
 * stateless kind may not carry a decision from one chunk to the next (replicas working on
 * different chunks would each decide differently), so each item decides from what it holds: the
 * median over all of its audio — the previous, own and next chunk. Neighbouring items share two
 * thirds of that audio, so their shifts stay close; an item with no voiced frames needs none.
 * (Until contract v2 the shift was taken from the first voiced chunk and kept for the clip.)
 */
import { defer } from 'rxjs';
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { ChunkView, StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, StageOptions, TransformInstance } from '../../src/core/stage.ts';
import type { AudioPacket, TensorPacket } from '../../src/core/types.ts';
import { resampleSlice, yinF0 } from '../../src/dsp/index.ts';
import { audioWindow, monoSamples, type AudioWindow } from '../shared/audio-window.ts';
import { declaredAxis } from '../shared/declared-axis.ts';
import { openStageModel } from '../shared/open-model.ts';
import { i64 } from '../shared/tensors.ts';
import { rvcInputSignal } from '../content-encoder/features.ts';
import { CONTENT_FPS, ownedContentFrames } from '../content-encoder/stage.ts';
import type { rvc } from './index.ts';
import { rvcNoiseAt } from './noise.ts';
import { rvcPitchInputs, voicedMedian } from './pitch.ts';
import { conversionWindow, passedRanges, speechFrames } from './speech-ranges.ts';
import { speakerError, synthesizeRvc } from './synthesizer.ts';

const PITCH_FPS = 100;
/** Joins between converted speech and passed-through silence fade over this long, seconds. */
const FADE_SECONDS = 0.01;

interface RvcWindow {
  /** Content features of the window, [featureFrames, dim] row-major. */
  features: Float32Array;
  featureFrames: number;
  dim: number;
  /** The audio under the same frames. */
  w: AudioWindow;
  /** Clip index of the window's first feature frame. */
  windowFrame: number;
  /** Transpose, semitones. */
  semitones: number;
}

/** Zero crossings of the pass-through's sinc on each side (a short one: pauses only). */
const PASS_THROUGH_ZERO_CROSSINGS = 8;

/**
 * The window's audio at `rate`, clip samples [first, first + length) of it. Pauses only (room tone
 * under the fades): a short sinc (8 zero crossings), over that range only (resampleSlice: the
 * samples the whole window gives).
 */
function passThrough(w: AudioWindow, rate: number, first: number, length: number): Float32Array {
  // Output sample 0 of the window's resampling is clip sample `base` at `rate`.
  const base = Math.round((w.startSample / w.rate) * rate);
  const options = { inputRate: w.rate, outputRate: rate, zeroCrossings: PASS_THROUGH_ZERO_CROSSINGS };
  return resampleSlice(w.data, options, first - base, length);
}

/** The chunk's content features, checked to cover exactly its owned frames. */
function featuresOf(view: ChunkView): TensorPacket {
  const p = view.tensor('features', { dtype: 'float32', rank: 3 });
  const owned = ownedContentFrames(view.chunk.start, view.chunk.end);
  if (p.tensor.dims[1] !== owned.end - owned.first) {
    throw new InputError(
      `features of chunk ${view.chunk.index} [${view.chunk.start}, ${view.chunk.end}) s hold ${p.tensor.dims[1]} frames; expected ${owned.end - owned.first} at ${CONTENT_FPS} frames/s`,
    );
  }
  return p;
}

export async function createRvcStage(o: StageOptions<typeof rvc>, ctx: StageCreateContext): Promise<TransformInstance> {
  const rate = o.sampleRate;
  const hop = rate / PITCH_FPS;
  const padFrames = Math.round(o.padSeconds * CONTENT_FPS);
  const skipContextFrames = o.skipContextMs === null ? padFrames : Math.round((o.skipContextMs / 1000) * CONTENT_FPS);
  const f0Options = { sampleRate: 16000, hop: 160, fmin: o.f0MinHz, fmax: o.f0MaxHz };
  const model = await openStageModel(ctx, 'synthesizer', 'rvc', {
    // Zeros but for what must be valid: the length, voiced-looking bins, the speaker.
    warmup: {
      // D: the content width the file fixes (768 for v2, 256 for v1).
      dims: ({ session }) => ({ T: 100, D: declaredAxis(session, 'input', 'phone', 2) ?? 768 }),
      feeds: {
        phone_lengths: i64([100], [1]),
        pitch: i64(new Array(100).fill(1), [1, 100]),
        ds: i64([o.speakerId], [1]),
      },
    },
  }).catch((err: unknown) => {
    // The warm-up feeds the configured speaker: an id the model lacks fails there, said plainly.
    throw speakerError(err, o.speakerId, ctx.models.synthesizer ?? 'rvc');
  });
  const phoneWidth = declaredAxis(model.session, 'input', 'phone', 2);

  // The reference's median F0 depends on the packet alone: computed once per packet, not per item.
  const referenceMedians = new WeakMap<AudioPacket, number>();
  const referenceMedian = (p: AudioPacket): number => {
    let median = referenceMedians.get(p);
    if (median === undefined) {
      median = voicedMedian(yinF0(rvcInputSignal(monoSamples(p), p.sampleRate), f0Options));
      if (median === undefined) {
        const seconds = (p.data.length / p.channels / p.sampleRate).toFixed(2);
        throw new InputError(
          `the reference voice has no voiced frames (${seconds} s); auto-pitch needs a voiced sample, or set autoPitch: false`,
        );
      }
      referenceMedians.set(p, median);
    }
    return median;
  };

  /** Semitones that move the median voiced F0 of all the item's audio onto the reference's. */
  const autoShift = (item: StageItem, reference: AudioPacket): number => {
    const target = referenceMedian(reference);
    const span = audioWindow(item, 'audio', Infinity, Infinity);
    const source = voicedMedian(yinF0(rvcInputSignal(span.data, span.rate), f0Options));
    return source === undefined ? 0 : 12 * Math.log2(target / source);
  };

  /** The item's features and audio with their context, on the 20 ms frame grid, and its transpose. */
  const windowOf = (item: StageItem): RvcWindow => {
    const { chunk } = item;
    const cur = featuresOf(item);
    const prev = item.prev && featuresOf(item.prev);
    const next = item.next && featuresOf(item.next);
    const dim = cur.tensor.dims[2];
    if (phoneWidth !== undefined && dim !== phoneWidth) {
      const version = (d: number) => (d === 768 ? ' (RVC v2)' : d === 256 ? ' (RVC v1)' : '');
      throw new ModelError(
        model.path,
        `takes ${phoneWidth}-wide content features${version(phoneWidth)}, but the content encoder gives ${dim}-wide${version(dim)}: use a content encoder of the synthesizer's RVC version`,
      );
    }
    const before = Math.min(padFrames, prev?.tensor.dims[1] ?? 0);
    const after = Math.min(padFrames, next?.tensor.dims[1] ?? 0);
    const own = cur.tensor.dims[1];
    const featureFrames = before + own + after;
    const features = new Float32Array(featureFrames * dim);
    if (prev) features.set((prev.tensor.data as Float32Array).subarray((prev.tensor.dims[1] - before) * dim), 0);
    features.set(cur.tensor.data as Float32Array, before * dim);
    if (next) features.set((next.tensor.data as Float32Array).subarray(0, after * dim), (before + own) * dim);

    const inRate = item.audio('audio').sampleRate;
    const seconds = (frames: number) => Math.round((frames / CONTENT_FPS) * inRate);
    const w = audioWindow(item, 'audio', seconds(before), seconds(after));
    // The clip's final chunk may end off the frame grid: its features round up, its audio does not.
    if (w.ownStart !== seconds(before) || (w.data.length - w.ownEnd !== seconds(after) && !w.atClipEnd)) {
      throw new InputError(
        `audio and features of the neighbouring chunks disagree on their length (${before}/${after} context frames, ${w.ownStart}/${w.data.length - w.ownEnd} context samples at ${inRate} Hz)`,
      );
    }
    const semitones =
      o.pitchShift + (o.autoPitch && item.whole.has('reference') ? autoShift(item, item.whole.audio('reference')) : 0);
    // First feature frame of the window.
    const windowFrame = Math.round(chunk.start * CONTENT_FPS) - before;
    return { features, featureFrames, dim, w, windowFrame, semitones };
  };

  /**
   * Converted speech for feature frames [lo, hi) of the window (clip frame indices), from the
   * window's own features and audio over that span: output sample 0 is clip time lo·20 ms.
   */
  const convertFrames = async (win: RvcWindow, lo: number, hi: number): Promise<Float32Array> => {
    const rel = lo - win.windowFrame;
    const frames = hi - lo;
    const perFrame = win.w.rate / CONTENT_FPS;
    const audio = win.w.data.subarray(
      Math.round(rel * perFrame),
      Math.min(win.w.data.length, Math.round((rel + frames) * perFrame)),
    );
    const f0 = new Float32Array(2 * frames);
    const tracked = yinF0(rvcInputSignal(audio, win.w.rate), f0Options);
    f0.set(tracked.subarray(0, Math.min(f0.length, tracked.length)));
    // The search range is the user's; the coarse bins are the model's, fixed at 50–1100 Hz.
    const pitch = rvcPitchInputs(f0, win.semitones);
    const { audio: y } = await synthesizeRvc(
      model,
      {
        features: win.features.subarray(rel * win.dim, (rel + frames) * win.dim),
        featureFrames: frames,
        featureDim: win.dim,
        pitch,
        samples16k: 160 * 2 * frames,
      },
      { hop, speakerId: o.speakerId, noise: (t) => rvcNoiseAt(o.seed, 2 * lo, t, o.noiseScale) },
    );
    return y;
  };

  const convert = async (item: StageItem): Promise<PortPacket> => {
    const { chunk } = item;
    const first = Math.round(chunk.start * rate);
    const data = new Float32Array(Math.round(chunk.end * rate) - first);
    const out: AudioPacket = { kind: 'audio', chunk, sampleRate: rate, channels: 1, startSample: first, data };
    // An empty chunk (a TTS that said nothing) stays empty.
    if (data.length === 0) return { port: 'audio', packet: out };
    const win = windowOf(item);
    const owned = ownedContentFrames(chunk.start, chunk.end);
    // Ranges closer than two contexts would convert the frames between them twice: one range then.
    const ranges =
      o.skipSilence && item.has('speech')
        ? speechFrames(item, o.skipMarginMs / 1000, owned, 2 * skipContextFrames)
        : undefined;
    const frameSamples = 2 * hop;
    if (ranges === undefined || (ranges.length === 1 && ranges[0][0] <= owned.first && ranges[0][1] >= owned.end)) {
      const y = await convertFrames(win, win.windowFrame, win.windowFrame + win.featureFrames);
      // Output sample 0 is clip time windowFrame·20 ms; keep exactly the owned samples.
      const from = first - win.windowFrame * frameSamples;
      data.set(y.subarray(from, Math.min(y.length, from + data.length)));
      return { port: 'audio', packet: out };
    }
    // Silence passes through at the output rate (resampled only where it is heard); each speech
    // range is converted with the context the chunk has around it and faded in and out over it.
    const fade = Math.round(FADE_SECONDS * rate);
    const spans = ranges.map(([a, b]): [number, number] => [
      Math.max(first, a * frameSamples) - first,
      Math.min(first + data.length, b * frameSamples) - first,
    ]);
    for (const [a, b] of passedRanges(spans, data.length, fade))
      data.set(passThrough(win.w, rate, first + a, b - a), a);
    for (const [a, b] of ranges) {
      const [lo, hi] = conversionWindow([a, b], owned, [win.windowFrame, win.windowFrame + win.featureFrames], {
        pad: padFrames,
        context: skipContextFrames,
      });
      const y = await convertFrames(win, lo, hi);
      const start = Math.max(first, a * frameSamples);
      const end = Math.min(first + data.length, b * frameSamples);
      const fadeIn = a * frameSamples > first;
      const fadeOut = b * frameSamples < first + data.length;
      for (let t = start; t < end; t++) {
        const v = y[t - lo * frameSamples] ?? 0;
        let g = 1;
        if (fadeIn && t < start + fade) g = (t - start + 0.5) / fade;
        if (fadeOut && t >= end - fade) g = Math.min(g, (end - t - 0.5) / fade);
        data[t - first] = data[t - first] * (1 - g) + v * g;
      }
    }
    return { port: 'audio', packet: out };
  };

  return { process: (item) => defer(() => convert(item)), dispose: () => model.release() };
}
