/**
 * The hifigan stage: mel chunks → 22050 Hz audio, 256 samples per mel frame, each chunk exactly
 * its owned samples [round(start·22050), round(end·22050)) — which a mel grid not aligned to the
 * hop may place up to one frame into a neighbour, whose frames are at hand anyway.
 *
 * Every model run has the fixed shape `chunkFrames + 2·contextFrames` frames (one TensorRT engine
 * per stage); a run keeps the audio of the ≤ chunkFrames frames it owns. The window is built from
 * the clip's mel at hand — the last frames of the chunks before (kept across chunks) and the next
 * chunk's head — and slid inward where it would leave them, so each
 * owned frame has `contextFrames` of real mel on both sides or reaches the true clip edge, which
 * the model then sees exactly as a whole-clip run does: with `contextFrames` ≥ the vocoder's
 * receptive field (manifest), chunked audio equals the whole-clip vocoding to float tolerance.
 * Only when fewer frames than one window exist in all is the window padded with log-mel silence.
 */
import type { StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import { concatMels, type Mel } from '../fastpitch/runner.ts';
import { withNeighbours, type Neighbourhood } from '../shared/chunk-items.ts';
import { openStageModel } from '../shared/stage-model.ts';
import { TalkingHeadError } from '../shared/errors.ts';
import { MEL_BANDS, MEL_HOP, MEL_RATE, melOf, melSlice } from '../shared/mel-packets.ts';
import { f32, runOutputs } from '../shared/session.ts';

export interface HifiganStageOptions {
  contextFrames: number;
  chunkFrames: number;
}

const PAD_VALUE = Math.log(1e-5);

export async function createHifiganStage(o: HifiganStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const width = o.chunkFrames + 2 * o.contextFrames;
  const model = await openStageModel(ctx, 'vocoder', 'hifigan', {
      warmupFeeds: () => ({ spec: { dtype: 'float32', dims: [1, MEL_BANDS, width], data: new Float32Array(MEL_BANDS * width).fill(PAD_VALUE) } }),
    });

  /** Audio of frames [from, to) of `mel` (whose frame 0 is clip frame `base`). */
  const vocode = async (mel: Mel, base: number, from: number, to: number): Promise<Float32Array> => {
    const audio = new Float32Array((to - from) * MEL_HOP);
    const end = base + mel.frames;
    for (let s = from; s < to; s += o.chunkFrames) {
      const ownEnd = Math.min(s + o.chunkFrames, to);
      const windowStart = end - base >= width ? Math.max(base, Math.min(s - o.contextFrames, end - width)) : base;
      const window = new Float32Array(MEL_BANDS * width).fill(PAD_VALUE);
      const part = melSlice(mel, windowStart - base, windowStart - base + width);
      for (let b = 0; b < MEL_BANDS; b++) window.set(part.data.subarray(b * part.frames, (b + 1) * part.frames), b * width);
      const out = await runOutputs(model.session, { spec: f32(window, [1, MEL_BANDS, width]) }, ['audio'], 'hifigan');
      const wav = out.audio.data as Float32Array;
      if (wav.length !== MEL_HOP * width) throw new TalkingHeadError(`stage "${ctx.id}": vocoder gave ${wav.length} samples for ${width} frames; expected ${MEL_HOP * width}`);
      audio.set(wav.subarray((s - windowStart) * MEL_HOP, (ownEnd - windowStart) * MEL_HOP), (s - from) * MEL_HOP);
    }
    return audio;
  };

  // The clip's last frames before the current chunk, from as many earlier chunks as it takes: a
  // window slid inward at the clip end may reach further back than the previous chunk.
  let history: { clipId: string; mel: Mel } | undefined;
  const keep = width + 1;

  const process = async (n: Neighbourhood) => {
    const { chunk } = n.cur;
    const cur = melOf(n.cur, 'mel', ctx.id);
    const next = n.next && melOf(n.next, 'mel', ctx.id);
    if (history?.clipId !== chunk.clipId) history = { clipId: chunk.clipId, mel: { data: new Float32Array(0), frames: 0 } };
    const head = history.mel;
    const tail = next ? melSlice(next, 0, keep) : { data: new Float32Array(0), frames: 0 };
    const mel = concatMels([head, cur, tail]);
    const base = cur.startFrame - head.frames;
    history.mel = melSlice(mel, Math.max(0, head.frames + cur.frames - keep), head.frames + cur.frames);
    const first = Math.round(chunk.start * MEL_RATE);
    const last = Math.round(chunk.end * MEL_RATE);
    const from = Math.floor(first / MEL_HOP);
    const to = Math.ceil(last / MEL_HOP);
    if (from < base || to > base + mel.frames) {
      throw new TalkingHeadError(`stage "${ctx.id}": chunk ${chunk.index} [${chunk.start}, ${chunk.end}) s needs mel frames [${from}, ${to}); its neighbours give [${base}, ${base + mel.frames})`);
    }
    const audio = await vocode(mel, base, from, to);
    const data = audio.slice(first - from * MEL_HOP, last - from * MEL_HOP);
    return [{ port: 'audio', packet: { kind: 'audio' as const, chunk, sampleRate: MEL_RATE, channels: 1, startSample: first, data } }];
  };

  return { operator: withNeighbours([], process), dispose: () => model.release() };
}
