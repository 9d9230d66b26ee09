/**
 * The fastpitch stage: the whole script → log-mel chunks [1, 80, T] on the pipeline grid. The
 * script is synthesised sentence by sentence (the encoder attends over a sentence); the frames
 * are joined and re-cut so that chunk k holds mel frames [round(k·S·fps), round(min((k+1)·S,
 * total)·fps)), fps = 22050/256, and chunks stream out as sentences finish (one held back so the
 * final chunk carries `last`).
 *
 * `pitchShift` (semitones) becomes the model's additive `pitch` input, which is in normalised
 * pitch units (Hz ÷ the training set's std): the shift in Hz is taken at the training set's mean
 * pitch (LJSpeech, DLE: mean 214.72 Hz, std 65.72 Hz) — exact at the mean, approximate elsewhere.
 */
import type { PortPacket, StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { Packet } from '../../src/core/types.ts';
import { fromWholeInputs } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import { TalkingHeadError } from '../shared/errors.ts';
import { runFastpitch } from './runner.ts';
import { fastpitchSymbolIds } from './text.ts';
import { FrameQueue } from '../shared/frame-queue.ts';
import { GridChunker } from '../shared/grid-chunks.ts';
import { MEL_BANDS, MEL_FPS, melPacket } from '../shared/mel-packets.ts';
import { splitSentences } from '../shared/sentences.ts';

export interface FastpitchStageOptions {
  pace: number;
  pitchShift: number;
  speaker: number;
}

const PITCH_MEAN_HZ = 214.72203;
const PITCH_STD_HZ = 65.72038;

/** The additive normalised pitch for a shift of `semitones` at the training mean. */
export function normalisedPitchShift(semitones: number): number {
  return (PITCH_MEAN_HZ * (2 ** (semitones / 12) - 1)) / PITCH_STD_HZ;
}

function bandToFrameMajor(data: Float32Array, frames: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < MEL_BANDS; b++) for (let t = 0; t < frames; t++) out[t * MEL_BANDS + b] = data[b * frames + t];
  return out;
}

function frameToBandMajor(data: Float32Array): { data: Float32Array; frames: number } {
  const frames = data.length / MEL_BANDS;
  const out = new Float32Array(data.length);
  for (let t = 0; t < frames; t++) for (let b = 0; b < MEL_BANDS; b++) out[b * frames + t] = data[t * MEL_BANDS + b];
  return { data: out, frames };
}

export async function createFastpitchStage(o: FastpitchStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const model = await openStageModel(ctx, 'acoustic', 'fastpitch', {
      warmupFeeds: () => ({
        text: { dtype: 'int64', dims: [1, 16], data: new BigInt64Array(16).fill(20n) },
        pitch: { dtype: 'float32', dims: [1, 16], data: new Float32Array(16) },
        pace: { dtype: 'float32', dims: [1, 16], data: new Float32Array(16).fill(1) },
      }),
    });
  if (o.speaker !== 0 && !model.session.inputNames.includes('speaker')) {
    await model.release();
    throw new TalkingHeadError(`stage "${ctx.id}": speaker ${o.speaker} asked for, but ${model.path} has no "speaker" input (a single-speaker model); use speaker: 0`);
  }
  const seconds = ctx.chunking?.seconds ?? 10;
  const pitch = normalisedPitchShift(o.pitchShift);

  async function* produce(wholes: Readonly<Record<string, Packet>>): AsyncGenerator<PortPacket> {
    const text = wholes.text;
    if (text.kind !== 'text') throw new TalkingHeadError(`stage "${ctx.id}": input "text" must be text; got ${text.kind}`);
    const chunker = new GridChunker(text.chunk.clipId, seconds, MEL_FPS);
    const queue = new FrameQueue(MEL_BANDS);
    const emit = (ready: ReturnType<GridChunker['ready']>) =>
      ready.map((c) => ({ port: 'mel', packet: melPacket(c.chunk, frameToBandMajor(queue.take(c.startFrame, c.endFrame)), c.startFrame) }));
    for (const sentence of splitSentences(text.text)) {
      const ids = fastpitchSymbolIds(sentence);
      if (ids.length === 0) continue;
      const { mel } = await runFastpitch(model.session, ids, { pace: o.pace, pitch });
      queue.append(bandToFrameMajor(mel.data, mel.frames));
      yield* emit(chunker.ready(queue.end));
    }
    if (queue.end === 0) throw new TalkingHeadError(`stage "${ctx.id}": the script has no speakable symbols (${JSON.stringify(text.text.slice(0, 60))})`);
    yield* emit(chunker.finish(queue.end));
  }

  return { operator: fromWholeInputs(['text'], produce, ctx.outputRoom), dispose: () => model.release() };
}
