/**
 * The hifigan stage: mel chunks → 22050 Hz audio, 256 samples per mel frame, each chunk exactly
 * its owned samples [round(start·22050), round(end·22050)) — which a mel grid not aligned to the
 * hop may place up to one frame into a neighbour, whose frames the item holds anyway.
 *
 * Every model run has the fixed shape `chunkFrames + 2·contextFrames` frames (one TensorRT engine
 * per stage); a run keeps the audio of the ≤ chunkFrames frames it owns. The window is placed on
 * the mel the item holds (the previous, own and next chunk) and slid inward at the clip's edges,
 * so each owned frame has `contextFrames` of real mel on both sides or reaches the true clip edge,
 * which the model then sees exactly as a whole-clip run does. Window frames the item does not hold
 * (before the previous chunk, when a window slid inward at the clip end reaches that far) are
 * log-mel silence; they lie beyond `contextFrames` of every owned frame, so with `contextFrames` ≥
 * the vocoder's receptive field (manifest) chunked audio equals the whole-clip vocoding to float
 * tolerance — as long as a neighbouring chunk holds `contextFrames` (0.37 s by default). Only a
 * clip shorter than one window has silence within reach of its frames.
 */
import { defer } from 'rxjs';
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, StageOptions, TransformInstance } from '../../src/core/stage.ts';
import type { Mel } from '../fastpitch/runner.ts';
import { openStageModel } from '../shared/open-model.ts';
import { MEL_BANDS, MEL_HOP, MEL_RATE, melOf, melSlice } from '../shared/mel-packets.ts';
import { f32 } from '../shared/tensors.ts';
import type { hifigan } from './index.ts';

const PAD_VALUE = Math.log(1e-5);

/** Mel frames [base, base + frames) of the clip, band-major. */
interface ClipMel extends Mel {
  base: number;
}

export async function createHifiganStage(
  o: StageOptions<typeof hifigan>,
  ctx: StageCreateContext,
): Promise<TransformInstance> {
  const width = o.chunkFrames + 2 * o.contextFrames;
  const model = await openStageModel(ctx, 'vocoder', 'hifigan', {
    warmup: {
      dims: { B: 1, T: width },
      feeds: { spec: f32(new Float32Array(MEL_BANDS * width).fill(PAD_VALUE), [1, MEL_BANDS, width]) },
    },
  });
  // No window needs more than `width + 1` frames of a neighbour.
  const keep = width + 1;

  /** The mel the item holds: the tail of the previous chunk, its own, the head of the next. */
  const heldMel = (item: StageItem): ClipMel => {
    const cur = melOf(item, 'mel');
    const prev = item.prev && melOf(item.prev, 'mel');
    const next = item.next && melOf(item.next, 'mel');
    if (
      (prev && prev.startFrame + prev.frames !== cur.startFrame) ||
      (next && cur.startFrame + cur.frames !== next.startFrame)
    ) {
      const range = (m?: Mel & { startFrame: number }) => (m ? `[${m.startFrame}, ${m.startFrame + m.frames})` : '–');
      throw new InputError(
        `mel frames of neighbouring chunks are not contiguous: ${range(prev)}, ${range(cur)}, ${range(next)}`,
      );
    }
    const head = prev ? melSlice(prev, prev.frames - keep, prev.frames) : { data: new Float32Array(0), frames: 0 };
    const tail = next ? melSlice(next, 0, keep) : { data: new Float32Array(0), frames: 0 };
    const frames = head.frames + cur.frames + tail.frames;
    const data = new Float32Array(MEL_BANDS * frames);
    for (let b = 0; b < MEL_BANDS; b++) {
      let at = b * frames;
      for (const part of [head, cur, tail]) {
        data.set(part.data.subarray(b * part.frames, (b + 1) * part.frames), at);
        at += part.frames;
      }
    }
    return { data, frames, base: cur.startFrame - head.frames };
  };

  /** Audio of clip frames [from, to), in fixed-shape runs over `mel`. */
  const vocode = async (mel: ClipMel, from: number, to: number): Promise<Float32Array> => {
    const audio = new Float32Array((to - from) * MEL_HOP);
    const end = mel.base + mel.frames;
    for (let s = from; s < to; s += o.chunkFrames) {
      const ownEnd = Math.min(s + o.chunkFrames, to);
      // Context on both sides where the mel allows; at the clip's end, slid inward; never before frame 0.
      const windowStart = Math.max(0, Math.min(s - o.contextFrames, end - width));
      const window = new Float32Array(MEL_BANDS * width).fill(PAD_VALUE);
      const lo = Math.max(windowStart, mel.base);
      const hi = Math.min(windowStart + width, end);
      for (let b = 0; b < MEL_BANDS && hi > lo; b++) {
        const row = b * mel.frames - mel.base;
        window.set(mel.data.subarray(row + lo, row + hi), b * width + lo - windowStart);
      }
      const { audio: wav } = await model.run({ spec: f32(window, [1, MEL_BANDS, width]) });
      if (wav?.data.length !== MEL_HOP * width) {
        throw new ModelError(
          model.path,
          `gave ${wav?.data.length ?? 0} samples for ${width} frames; expected ${MEL_HOP * width}`,
        );
      }
      const data = wav.data as Float32Array;
      audio.set(data.subarray((s - windowStart) * MEL_HOP, (ownEnd - windowStart) * MEL_HOP), (s - from) * MEL_HOP);
    }
    return audio;
  };

  const process = async (item: StageItem): Promise<PortPacket> => {
    const { chunk } = item;
    const mel = heldMel(item);
    const first = Math.round(chunk.start * MEL_RATE);
    const last = Math.round(chunk.end * MEL_RATE);
    const from = Math.floor(first / MEL_HOP);
    const to = Math.ceil(last / MEL_HOP);
    if (from < mel.base || to > mel.base + mel.frames) {
      throw new InputError(
        `the chunk [${chunk.start}, ${chunk.end}) s needs mel frames [${from}, ${to}); the item holds [${mel.base}, ${mel.base + mel.frames})`,
      );
    }
    const audio = await vocode(mel, from, to);
    const data = audio.slice(first - from * MEL_HOP, last - from * MEL_HOP);
    return {
      port: 'audio',
      packet: { kind: 'audio', chunk, sampleRate: MEL_RATE, channels: 1, startSample: first, data },
    };
  };

  return { process: (item) => defer(() => process(item)), dispose: () => model.release() };
}
