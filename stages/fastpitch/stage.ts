/**
 * The fastpitch stage: the whole script → log-mel chunks [1, 80, T] on the pipeline grid. The
 * script is synthesised sentence by sentence (the encoder attends over a sentence); the frames
 * are joined and re-cut so that chunk k holds mel frames [round(k·S·fps), round(min((k+1)·S,
 * total)·fps)), fps = 22050/256, and chunks stream out as sentences finish (one held back so the
 * final chunk carries `last`), paced by the consumers (`paced`).
 *
 * `pitchShift` (semitones) becomes the model's additive `pitch` input, which is in normalised
 * pitch units (Hz ÷ the training set's std): the shift in Hz is taken at the training set's mean
 * pitch (LJSpeech, DLE: mean 214.72 Hz, std 65.72 Hz) — exact at the mean, approximate elsewhere.
 */
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import { paced } from '../../src/core/paced.ts';
import type { PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import { FrameQueue } from '../shared/frame-queue.ts';
import { GridChunker, type GridChunk } from '../shared/grid-chunks.ts';
import { MEL_BANDS, MEL_FPS, melPacket } from '../shared/mel-packets.ts';
import { openStageModel } from '../shared/open-model.ts';
import { splitSentences } from '../shared/sentences.ts';
import { f32, i64 } from '../shared/tensors.ts';
import type { FastpitchStageOptions } from './index.ts';
import { runFastpitch } from './runner.ts';
import { fastpitchSymbolIds } from './text.ts';

/** Warm-up script length, symbols: a short sentence. */
const WARMUP_SYMBOLS = 16;

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

export async function createFastpitchStage(
  o: FastpitchStageOptions,
  ctx: StageCreateContext,
): Promise<TransformInstance> {
  const model = await openStageModel(ctx, 'acoustic', 'fastpitch', {
    // A sentence of one letter (id 20, "I"): real symbols, no pitch shift, pace 1.
    warmup: {
      dims: { B: 1, T_text: WARMUP_SYMBOLS },
      feeds: {
        text: i64(new Array<number>(WARMUP_SYMBOLS).fill(20), [1, WARMUP_SYMBOLS]),
        pace: f32(new Float32Array(WARMUP_SYMBOLS).fill(1), [1, WARMUP_SYMBOLS]),
      },
    },
  });
  if (o.speaker !== 0 && !model.inputNames.includes('speaker')) {
    await model.release();
    throw new ModelError(
      model.path,
      `no "speaker" input (a single-speaker model), but speaker ${o.speaker} was asked for; use speaker: 0`,
    );
  }
  const seconds = ctx.chunking?.seconds ?? 10;
  const pitch = normalisedPitchShift(o.pitchShift);

  async function* generate(item: StageItem): AsyncGenerator<PortPacket> {
    const script = item.whole.text('text').text;
    const chunker = new GridChunker(item.chunk.clipId, seconds, MEL_FPS);
    const queue = new FrameQueue(MEL_BANDS);
    const emit = (ready: GridChunk[]): PortPacket[] =>
      ready.map((c) => ({
        port: 'mel',
        packet: melPacket(c.chunk, frameToBandMajor(queue.take(c.startFrame, c.endFrame)), c.startFrame),
      }));
    for (const sentence of splitSentences(script)) {
      const ids = fastpitchSymbolIds(sentence);
      if (ids.length === 0) continue;
      const { mel } = await runFastpitch(model, ids, { pace: o.pace, pitch });
      queue.append(bandToFrameMajor(mel.data, mel.frames));
      yield* emit(chunker.ready(queue.end));
    }
    if (queue.end === 0)
      throw new InputError(`the script has no speakable symbols (${JSON.stringify(script.slice(0, 60))})`);
    yield* emit(chunker.finish(queue.end));
  }

  return { process: (item) => paced(() => generate(item), ctx.outputRoom), dispose: () => model.release() };
}
