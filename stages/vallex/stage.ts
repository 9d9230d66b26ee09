/**
 * The vallex stage: the whole script + the whole voice prompt (+ its transcript) → 24 kHz speech
 * chunks on the pipeline grid (chunk k = [k·S, min((k+1)·S, total)) s, one held back so the final
 * one carries `last`), produced sentence by sentence.
 *
 * The codes of every sentence join one stream, and the codec decodes it incrementally: after each
 * sentence the frames that can no longer change — all but the codec's after-context — are decoded
 * in a window with its before-context, so the audio has no seam at sentence or chunk boundaries
 * and equals one decode of the whole stream (the codec's receptive field is finite, manifest).
 * Prompt codes are a stand-in derived from the prompt audio (vallex-prompt-codes.ts).
 */
import type { PortPacket, StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { Packet } from '../../src/core/types.ts';
import { resample } from '../../src/dsp/index.ts';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { fromWholeInputs } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import { TalkingHeadError } from '../shared/errors.ts';
import { FrameQueue } from '../shared/frame-queue.ts';
import { GridChunker } from '../shared/grid-chunks.ts';
import { audioPacket, monoSamples } from '../shared/audio-window.ts';
import { decodeCodes, VALLEX_HOP, VALLEX_RATE } from './codec.ts';
import { CODEBOOKS, SeededVallexEmbedder } from './embeddings.ts';
import { promptCodesFromAudio } from './prompt-codes.ts';
import { vallexSentences, type VallexPrompt } from './synth.ts';
import type { VallexLanguage } from './tokenizer.ts';

export interface VallexStageOptions {
  language: VallexLanguage;
  temperature: number;
  topK: number;
  maxLengthFactor: number;
  promptSeconds: number;
  promptMode: 'fixed' | 'sliding';
  seed: number;
}

const CODEC_RF = MANIFESTS['vallex-codec'].receptiveField;
/** Code frames of context for incremental decoding: the reference codec's reach, with a margin. */
const CODEC_BEFORE = CODEC_RF.before + 4;
const CODEC_AFTER = CODEC_RF.after + 4;

/** The 24 kHz prompt, cut to `seconds`, as stand-in codes. */
function promptOf(packet: Packet, transcript: Packet | undefined, o: VallexStageOptions, stage: string): VallexPrompt {
  const p = audioPacket(packet, `stage "${stage}" input "prompt"`);
  const mono = monoSamples(p);
  const limited = mono.subarray(0, Math.min(mono.length, Math.round(o.promptSeconds * p.sampleRate)));
  const wav = p.sampleRate === VALLEX_RATE ? limited : resample(limited, { inputRate: p.sampleRate, outputRate: VALLEX_RATE });
  const codes = promptCodesFromAudio(wav);
  if (codes[0].length === 0) throw new TalkingHeadError(`stage "${stage}": the voice prompt has ${(mono.length / p.sampleRate).toFixed(3)} s of audio; at least one codec frame (${(VALLEX_HOP / VALLEX_RATE) * 1000} ms) is needed`);
  if (transcript && transcript.kind !== 'text') throw new TalkingHeadError(`stage "${stage}": input "promptText" must be text; got ${transcript.kind}`);
  return { codes, text: transcript?.text ?? '', language: o.language };
}

export async function createVallexStage(o: VallexStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  // Three sessions on one provider chain would say the same thing three times: say it once.
  const said = new Set<string>();
  const onceCtx = { ...ctx, log: (line: string) => void (said.has(line) || (said.add(line), ctx.log(line))) };
  const ar = await openStageModel(onceCtx, 'ar', 'vallex-ar');
  const nar = await openStageModel(onceCtx, 'nar', 'vallex-nar').catch(async (err) => { await ar.release(); throw err; });
  const codec = await openStageModel(onceCtx, 'codec', 'vallex-codec').catch(async (err) => { await Promise.all([ar.release(), nar.release()]); throw err; });
  const embedder = SeededVallexEmbedder.forModel(ar.session);
  const seconds = ctx.chunking?.seconds ?? 10;

  async function* produce(wholes: Readonly<Record<string, Packet>>): AsyncGenerator<PortPacket> {
    const text = wholes.text;
    if (text.kind !== 'text') throw new TalkingHeadError(`stage "${ctx.id}": input "text" must be text; got ${text.kind}`);
    const prompt = promptOf(wholes.prompt, wholes.promptText, o, ctx.id);
    const chunker = new GridChunker(text.chunk.clipId, seconds, VALLEX_RATE);
    const samples = new FrameQueue(1);
    const codes = Array.from({ length: CODEBOOKS }, () => [] as number[]);
    let decoded = 0; // code frames whose audio is final
    const decodeUpTo = async (until: number) => {
      const from = Math.max(0, decoded - CODEC_BEFORE);
      const audio = await decodeCodes(codec.session, codes.map((row) => row.slice(from)));
      samples.append(audio.subarray((decoded - from) * VALLEX_HOP, (until - from) * VALLEX_HOP));
      decoded = until;
    };
    const emit = (ready: ReturnType<GridChunker['ready']>): PortPacket[] =>
      ready.map((c) => ({
        port: 'audio',
        packet: { kind: 'audio', chunk: c.chunk, sampleRate: VALLEX_RATE, channels: 1, startSample: c.startFrame, data: samples.take(c.startFrame, c.endFrame) },
      }));
    const models = { ar: ar.session, nar: nar.session, codec: codec.session, embedder };
    const options = { language: o.language, temperature: o.temperature, topK: o.topK, maxLengthFactor: o.maxLengthFactor, promptMode: o.promptMode, seed: o.seed, prompt };
    for await (const sentence of vallexSentences(models, text.text, options)) {
      sentence.codes.forEach((row, c) => codes[c].push(...row));
      const stable = codes[0].length - CODEC_AFTER;
      if (stable > decoded) {
        await decodeUpTo(stable);
        // Old codes are only needed as the next window's before-context.
        const drop = Math.max(0, decoded - CODEC_BEFORE);
        if (drop > 0) { codes.forEach((row) => row.splice(0, drop)); decoded -= drop; }
        yield* emit(chunker.ready(samples.end));
      }
    }
    if (codes[0].length > decoded) await decodeUpTo(codes[0].length);
    yield* emit(chunker.finish(samples.end));
  }

  return {
    operator: fromWholeInputs(['text', 'prompt'], produce, ctx.outputRoom),
    dispose: async () => void (await Promise.all([ar.release(), nar.release(), codec.release()])),
  };
}
