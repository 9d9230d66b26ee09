/**
 * The content-encoder stage: audio chunks (any rate) → content features [1, T, D] at 50 frames/s
 * for exactly the chunk's owned range, T = owned seconds × 50 (chunk boundaries fall on the
 * kind's 20 ms granularity).
 *
 * Frame alignment (shared with the rvc stage): feature frame f stands for clip time
 * [f·0.02, (f+1)·0.02) and is the encoder frame whose 400-sample window starts at 16 kHz sample
 * 320·f of the clip, i.e. covers [320f, 320f + 400). The reference encoder's first frame covers
 * [0, 400) of its input; RVC's own client reflect-pads by x_pad = 1 s = 50 frames, so there too
 * feature frame f starts at sample 320f of the unpadded clip. The rvc stage pairs it with pitch
 * frames 2f and 2f + 1 (YIN frames centred on samples 320f and 320f + 160).
 *
 * Context: `padSeconds` (rounded to whole frames) of the item's neighbouring chunks on each side,
 * plus one frame after for the window's 80-sample overhang. At the clip's edges the encoder sees
 * the edge itself (zero-extended at the end for the last window's overhang), as a whole-clip run
 * does. The encoder attends over its whole input, so chunked features approach whole-clip ones as
 * the context grows but never equal them exactly (the manifest's receptive field is not exact).
 */
import { defer, type Observable } from 'rxjs';
import { InputError, ModelError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, StageOptions, TransformInstance } from '../../src/core/stage.ts';
import type { ChunkInfo, TensorData } from '../../src/core/types.ts';
import { audioWindow } from '../shared/audio-window.ts';
import { declaredAxis } from '../shared/declared-axis.ts';
import { openStageModel } from '../shared/open-model.ts';
import { CONTENT_MIN_SAMPLES, CONTENT_RATE, encodeContent, rvcInputSignal } from './features.ts';
import type { contentEncoder } from './index.ts';

/** Content frames per second (hop 320 at 16 kHz). */
export const CONTENT_FPS = 50;
const HOP = CONTENT_RATE / CONTENT_FPS;
const EPS = 1e-6;
/** Feature width of RVC v2's content encoders, for an empty chunk's tensor when the export leaves D symbolic. */
const V2_FEATURE_DIM = 768;

/** Feature frames [first, end) a chunk owns: boundaries on the 20 ms grid map exactly; a final off-grid end rounds up. */
export function ownedContentFrames(start: number, end: number): { first: number; end: number } {
  return { first: Math.round(start * CONTENT_FPS), end: Math.ceil(end * CONTENT_FPS - EPS) };
}

function featuresPacket(chunk: ChunkInfo, tensor: TensorData, startFrame: number): PortPacket {
  return {
    port: 'features',
    packet: {
      kind: 'tensor',
      chunk,
      name: 'content-features',
      tensor,
      meta: { framesPerSecond: CONTENT_FPS, startFrame },
    },
  };
}

export async function createContentEncoderStage(
  options: StageOptions<typeof contentEncoder>,
  ctx: StageCreateContext,
): Promise<TransformInstance> {
  const padFrames = Math.round(options.padSeconds * CONTENT_FPS);
  // Warm up on a typical window; whole samples, as chunk lengths like 14.1 s do not give one in floating point.
  const warmSamples = Math.round(
    Math.min(30, (ctx.chunking?.seconds ?? 1) + (2 * padFrames) / CONTENT_FPS) * CONTENT_RATE,
  );
  const model = await openStageModel(ctx, 'encoder', 'content-encoder', { warmup: { dims: { B: 1, N: warmSamples } } });
  // An empty chunk's tensor has the model's width too (768 for RVC v2, 256 for v1).
  const featureDim = declaredAxis(model.session, 'output', 'features', 2) ?? V2_FEATURE_DIM;

  const encode = async (item: StageItem): Promise<PortPacket> => {
    const { chunk } = item;
    const rate = item.audio('audio').sampleRate;
    // Context in whole 20 ms frames, so the window starts on the frame grid.
    const framesToSamples = (frames: number) => Math.round((frames / CONTENT_FPS) * rate);
    const w = audioWindow(item, 'audio', framesToSamples(padFrames), framesToSamples(padFrames + 1));
    const windowStart = w.startSample / rate;
    if (Math.abs(windowStart * CONTENT_FPS - Math.round(windowStart * CONTENT_FPS)) > 1e-3) {
      throw new InputError(
        `the audio window starts at ${windowStart.toFixed(6)} s, off the 20 ms frame grid (is the audio rate ${rate} Hz a multiple of 50?)`,
      );
    }
    const owned = ownedContentFrames(chunk.start, chunk.end);
    const firstInWindow = owned.first - Math.round(windowStart * CONTENT_FPS);
    const frames = owned.end - owned.first;
    // An empty chunk (a TTS that said nothing) stays empty.
    if (frames <= 0)
      return featuresPacket(
        chunk,
        { dtype: 'float32', dims: [1, 0, featureDim], data: new Float32Array(0) },
        owned.first,
      );
    let wav = rvcInputSignal(w.data, rate);
    // The last owned frame's window reaches 80 samples past its 20 ms; past the clip end that is silence.
    const needed = Math.max(CONTENT_MIN_SAMPLES, HOP * (firstInWindow + frames - 1) + CONTENT_MIN_SAMPLES);
    if (wav.length < needed) {
      const padded = new Float32Array(needed);
      padded.set(wav);
      wav = padded;
    }
    const feats = await encodeContent(model, wav);
    if (feats.frames < firstInWindow + frames) {
      throw new ModelError(
        model.path,
        `gave ${feats.frames} frames for ${wav.length} samples; the chunk needs frames [${firstInWindow}, ${firstInWindow + frames})`,
      );
    }
    const tensor: TensorData = {
      dtype: 'float32',
      dims: [1, frames, feats.dim],
      data: feats.data.slice(firstInWindow * feats.dim, (firstInWindow + frames) * feats.dim),
    };
    return featuresPacket(chunk, tensor, owned.first);
  };

  return {
    process: (item): Observable<PortPacket> => defer(() => encode(item)),
    dispose: () => model.release(),
  };
}
