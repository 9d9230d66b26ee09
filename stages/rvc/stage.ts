/**
 * The rvc stage: per chunk, {audio k, content features k} (+ the whole `reference` voice, optional)
 * → converted speech at `sampleRate` for exactly the chunk's owned range (round(end·R) −
 * round(start·R) samples).
 *
 * The chunk is run with `padSeconds` (whole 20 ms frames) of its neighbours on each side — audio
 * for F0 and features for the synthesizer — and the output is trimmed to the owned range. Frames
 * follow the content-encoder stage's alignment: feature frame f ↔ clip time [f·0.02, (f+1)·0.02),
 * repeated ×2 onto pitch frames 2f, 2f+1, pitch frame p being the YIN frame centred on 16 kHz
 * sample 160·p (100 frames/s). The synthesizer's output sample 0 is then at the window's start.
 * The noise is drawn per absolute frame (rvc-noise.ts). With context ≥ the synthesizer's receptive
 * field, chunked output equals whole-clip output but for the F0 and features' own edge effects.
 *
 * Auto-pitch (`autoPitch` with `reference` wired): the transpose that moves the source's median
 * voiced F0 onto the reference's. A stream cannot know the whole source's median up front, so it
 * is taken from the first chunk window with voiced frames and kept for the rest of the clip (no
 * pitch jumps between chunks); unvoiced windows before it need no transpose.
 */
import { yinF0 } from '../../src/dsp/index.ts';
import type { StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { AudioPacket, Packet, TensorPacket } from '../../src/core/types.ts';
import { withNeighbours, type ChunkItem, type Neighbourhood } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import { CONTENT_FPS, ownedContentFrames } from '../content-encoder/stage.ts';
import { rvcInputSignal } from '../content-encoder/features.ts';
import { TalkingHeadError } from '../shared/errors.ts';
import { audioPacket, audioWindow, monoSamples } from '../shared/audio-window.ts';
import { rvcNoiseAt } from './noise.ts';
import { rvcPitchInputs, voicedMedian } from './pitch.ts';
import { synthesizeRvc } from './synthesizer.ts';

const PITCH_FPS = 100;

export interface RvcStageOptions {
  sampleRate: 32000 | 40000 | 48000;
  pitchShift: number;
  autoPitch: boolean;
  speakerId: number;
  f0Method: 'yin';
  f0MinHz: number;
  f0MaxHz: number;
  noiseScale: number;
  seed: number;
  padSeconds: number;
}

function featuresOf(item: ChunkItem, stage: string): TensorPacket {
  const p = item.ports.features;
  if (!p || p.kind !== 'tensor' || p.tensor.dtype !== 'float32' || p.tensor.dims.length !== 3) {
    throw new TalkingHeadError(`stage "${stage}": input "features" of chunk ${item.chunk.index} must be a float32 [1, T, D] tensor; got ${p ? `${p.kind} ${p.kind === 'tensor' ? `[${p.tensor.dims.join(', ')}]` : ''}` : 'nothing'}`);
  }
  const owned = ownedContentFrames(item.chunk.start, item.chunk.end);
  if (p.tensor.dims[1] !== owned.end - owned.first) {
    throw new TalkingHeadError(`stage "${stage}": features of chunk ${item.chunk.index} [${item.chunk.start}, ${item.chunk.end}) s hold ${p.tensor.dims[1]} frames; expected ${owned.end - owned.first} at ${CONTENT_FPS} frames/s`);
  }
  return p;
}

export async function createRvcStage(o: RvcStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const rate = o.sampleRate;
  const hop = rate / PITCH_FPS;
  const padFrames = Math.round(o.padSeconds * CONTENT_FPS);
  const f0Options = { sampleRate: 16000, hop: 160, fmin: o.f0MinHz, fmax: o.f0MaxHz };
  const model = await openStageModel(ctx, 'synthesizer', 'rvc', {
      warmupFeeds: () => {
        const t = 100;
        return {
          phone: { dtype: 'float32', dims: [1, t, 768], data: new Float32Array(t * 768) },
          phone_lengths: { dtype: 'int64', dims: [1], data: BigInt64Array.from([BigInt(t)]) },
          pitch: { dtype: 'int64', dims: [1, t], data: new BigInt64Array(t).fill(1n) },
          pitchf: { dtype: 'float32', dims: [1, t], data: new Float32Array(t) },
          ds: { dtype: 'int64', dims: [1], data: BigInt64Array.from([BigInt(o.speakerId)]) },
          rnd: { dtype: 'float32', dims: [1, 192, t], data: new Float32Array(192 * t) },
        };
      },
    });

  let reference: { packet: Packet; medianF0: number } | undefined;
  const referenceMedian = (packet: Packet): number => {
    if (reference?.packet !== packet) {
      const p = audioPacket(packet, `stage "${ctx.id}" input "reference"`);
      const median = voicedMedian(yinF0(rvcInputSignal(monoSamples(p), p.sampleRate), f0Options));
      if (median === undefined) throw new TalkingHeadError(`stage "${ctx.id}": the reference voice has no voiced frames (${(p.data.length / p.channels / p.sampleRate).toFixed(2)} s); auto-pitch needs a voiced sample, or set autoPitch: false`);
      reference = { packet, medianF0: median };
    }
    return reference.medianF0;
  };
  const autoShift = new Map<string, number>();

  const process = async (n: Neighbourhood) => {
    const { chunk } = n.cur;
    const first = Math.round(chunk.start * rate);
    const data = new Float32Array(Math.round(chunk.end * rate) - first);
    const out: AudioPacket = { kind: 'audio', chunk, sampleRate: rate, channels: 1, startSample: first, data };
    // An empty chunk (a TTS that said nothing) stays empty.
    if (data.length === 0) return [{ port: 'audio', packet: out }];
    const cur = featuresOf(n.cur, ctx.id);
    const prev = n.prev && featuresOf(n.prev, ctx.id);
    const next = n.next && featuresOf(n.next, ctx.id);
    const dim = cur.tensor.dims[2];
    const before = Math.min(padFrames, prev?.tensor.dims[1] ?? 0);
    const after = Math.min(padFrames, next?.tensor.dims[1] ?? 0);
    const own = cur.tensor.dims[1];
    const featureFrames = before + own + after;
    const features = new Float32Array(featureFrames * dim);
    if (prev) features.set((prev.tensor.data as Float32Array).subarray((prev.tensor.dims[1] - before) * dim), 0);
    features.set(cur.tensor.data as Float32Array, before * dim);
    if (next) features.set((next.tensor.data as Float32Array).subarray(0, after * dim), (before + own) * dim);

    const inRate = audioPacket(n.cur.ports.audio, `stage "${ctx.id}" input "audio"`).sampleRate;
    const seconds = (frames: number) => Math.round((frames / CONTENT_FPS) * inRate);
    const w = audioWindow(n, 'audio', seconds(before), seconds(after));
    // The clip's final chunk may end off the frame grid: its features round up, its audio does not.
    if (w.ownStart !== seconds(before) || (w.data.length - w.ownEnd !== seconds(after) && !w.atClipEnd)) {
      throw new TalkingHeadError(`stage "${ctx.id}": audio and features of chunk ${chunk.index}'s neighbours disagree on their length (${before}/${after} context frames, ${w.ownStart}/${w.data.length - w.ownEnd} context samples at ${inRate} Hz)`);
    }
    const windowFrame = Math.round(chunk.start * CONTENT_FPS) - before; // first feature frame of the window
    const frames = 2 * featureFrames;
    const f0 = new Float32Array(frames);
    const tracked = yinF0(rvcInputSignal(w.data, w.rate), f0Options);
    f0.set(tracked.subarray(0, Math.min(frames, tracked.length)));

    let semitones = o.pitchShift;
    if (o.autoPitch && n.wholes.reference) {
      const target = referenceMedian(n.wholes.reference);
      if (!autoShift.has(chunk.clipId)) {
        const source = voicedMedian(f0);
        if (source !== undefined) autoShift.set(chunk.clipId, 12 * Math.log2(target / source));
      }
      semitones += autoShift.get(chunk.clipId) ?? 0;
    }
    // The search range is the user's; the coarse bins are the model's, fixed at 50–1100 Hz.
    const pitch = rvcPitchInputs(f0, semitones);
    const firstPitchFrame = 2 * windowFrame;
    const { audio: y } = await synthesizeRvc(
      model.session,
      { features, featureFrames, featureDim: dim, pitch, samples16k: 160 * frames },
      { hop, speakerId: o.speakerId, noise: (t) => rvcNoiseAt(o.seed, firstPitchFrame, t, o.noiseScale) },
    );
    // Output sample 0 is clip time windowFrame·20 ms; keep exactly the owned samples.
    const from = first - windowFrame * 2 * hop;
    data.set(y.subarray(from, Math.min(y.length, from + data.length)));
    return [{ port: 'audio', packet: out }];
  };

  return { operator: withNeighbours(['reference'], process), dispose: () => model.release() };
}
