/**
 * The vallex stage: the whole script + the whole voice prompt (+ its transcript) → 24 kHz speech
 * chunks on the pipeline grid (chunk k = [k·S, min((k+1)·S, total)) s, one held back so the final
 * one carries `last`), produced sentence by sentence and paced by the consumers (`paced`).
 *
 * The codes of every sentence join one stream, and the codec decodes it incrementally: after each
 * sentence the frames that can no longer change — all but the codec's after-context — are decoded
 * in a window with its before-context, so the audio has no seam at sentence or chunk boundaries
 * and equals one decode of the whole stream (the codec's receptive field is finite, manifest).
 * Prompt codes are a stand-in derived from the prompt audio (prompt-codes.ts).
 */
import { MANIFESTS } from '../../models/manifests/index.ts';
import { InputError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import { paced } from '../../src/core/paced.ts';
import type { LogLevel, PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import { resample } from '../../src/dsp/index.ts';
import { monoSamples } from '../shared/audio-window.ts';
import { FrameQueue } from '../shared/frame-queue.ts';
import { GridChunker, type GridChunk } from '../shared/grid-chunks.ts';
import { openStageModel, type Model } from '../shared/open-model.ts';
import { decodeCodes, VALLEX_HOP, VALLEX_RATE } from './codec.ts';
import { CODEBOOKS, SeededVallexEmbedder } from './embeddings.ts';
import type { VallexStageOptions } from './index.ts';
import { promptCodesFromAudio } from './prompt-codes.ts';
import { vallexSentences, type VallexPrompt } from './synth.ts';

const CODEC_RF = MANIFESTS['vallex-codec'].receptiveField;
/** Code frames of context for incremental decoding: the reference codec's reach, with a margin. */
const CODEC_BEFORE = CODEC_RF.before + 4;
const CODEC_AFTER = CODEC_RF.after + 4;

/** The 24 kHz prompt, cut to `promptSeconds`, as stand-in codes, with its transcript. */
function promptOf(item: StageItem, o: VallexStageOptions): VallexPrompt {
  const p = item.whole.audio('prompt');
  const mono = monoSamples(p);
  const limited = mono.subarray(0, Math.min(mono.length, Math.round(o.promptSeconds * p.sampleRate)));
  const wav =
    p.sampleRate === VALLEX_RATE ? limited : resample(limited, { inputRate: p.sampleRate, outputRate: VALLEX_RATE });
  const codes = promptCodesFromAudio(wav);
  if (codes[0].length === 0) {
    const frameMs = (VALLEX_HOP / VALLEX_RATE) * 1000;
    throw new InputError(
      `the voice prompt has ${(mono.length / p.sampleRate).toFixed(3)} s of audio; at least one codec frame (${frameMs} ms) is needed`,
    );
  }
  const text = item.whole.has('promptText') ? item.whole.text('promptText').text : '';
  return { codes, text, language: o.language };
}

/** Opens the three models, releasing those already open if a later one fails. */
async function openModels(ctx: StageCreateContext): Promise<{ ar: Model; nar: Model; codec: Model }> {
  // Three sessions on one provider chain would say the same thing three times: say it once.
  const said = new Set<string>();
  const log = (line: string, level?: LogLevel) => {
    if (said.has(line)) return;
    said.add(line);
    ctx.log(line, level);
  };
  const onceCtx = { ...ctx, log };
  const opened: Model[] = [];
  try {
    for (const [slot, family] of [
      ['ar', 'vallex-ar'],
      ['nar', 'vallex-nar'],
      ['codec', 'vallex-codec'],
    ] as const) {
      opened.push(await openStageModel(onceCtx, slot, family));
    }
  } catch (err) {
    await Promise.all(opened.map((m) => m.release()));
    throw err;
  }
  const [ar, nar, codec] = opened;
  return { ar, nar, codec };
}

export async function createVallexStage(o: VallexStageOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  const { ar, nar, codec } = await openModels(ctx);
  const embedder = SeededVallexEmbedder.forModel(ar);
  const seconds = ctx.chunking?.seconds ?? 10;

  async function* generate(item: StageItem): AsyncGenerator<PortPacket> {
    const script = item.whole.text('text').text;
    const prompt = promptOf(item, o);
    const chunker = new GridChunker(item.chunk.clipId, seconds, VALLEX_RATE);
    const samples = new FrameQueue(1);
    const codes = Array.from({ length: CODEBOOKS }, () => [] as number[]);
    let decoded = 0; // code frames whose audio is final
    const decodeUpTo = async (until: number) => {
      const from = Math.max(0, decoded - CODEC_BEFORE);
      const audio = await decodeCodes(
        codec,
        codes.map((row) => row.slice(from)),
      );
      samples.append(audio.subarray((decoded - from) * VALLEX_HOP, (until - from) * VALLEX_HOP));
      decoded = until;
    };
    const emit = (ready: GridChunk[]): PortPacket[] =>
      ready.map((c) => ({
        port: 'audio',
        packet: {
          kind: 'audio',
          chunk: c.chunk,
          sampleRate: VALLEX_RATE,
          channels: 1,
          startSample: c.startFrame,
          data: samples.take(c.startFrame, c.endFrame),
        },
      }));
    const { language, temperature, topK, maxLengthFactor, promptMode, seed } = o;
    const options = { language, temperature, topK, maxLengthFactor, promptMode, seed, prompt };
    for await (const sentence of vallexSentences({ ar, nar, codec, embedder }, script, options)) {
      sentence.codes.forEach((row, c) => codes[c].push(...row));
      const stable = codes[0].length - CODEC_AFTER;
      if (stable > decoded) {
        await decodeUpTo(stable);
        // Old codes are only needed as the next window's before-context.
        const drop = Math.max(0, decoded - CODEC_BEFORE);
        if (drop > 0) {
          codes.forEach((row) => row.splice(0, drop));
          decoded -= drop;
        }
        yield* emit(chunker.ready(samples.end));
      }
    }
    if (codes[0].length > decoded) await decodeUpTo(codes[0].length);
    yield* emit(chunker.finish(samples.end));
  }

  return {
    process: (item) => paced(() => generate(item), ctx.outputRoom),
    dispose: async () => void (await Promise.all([ar.release(), nar.release(), codec.release()])),
  };
}
