/**
 * The `vae` stage: the `latents` of a clip [1, f, 16, h, w] — one packet, or one per DiT window
 * (`meta.latentStart` of `meta.latentFrames`), decoded as one causal stream — → the video, streamed
 * one temporal run at a time (decode.ts): each run's frames leave as a VideoPacket as soon as its tiles are
 * decoded, paced by room downstream, so encoding overlaps the rest of the decode and only one run
 * of frames is held here. This is where the video meets the clock: run r is chunk r, covering
 * frames [startFrame, startFrame + frameCount) = [startFrame / fps, (startFrame + frameCount) / fps)
 * seconds; with CogVideoX's runs of 2 latent frames that is 9 frames, then 8 per run. The run
 * count is known from the latent shape, so `last` is set without holding a run back.
 */
import { InputError } from '../../src/core/errors.ts';
import type { StageItem } from '../../src/core/item.ts';
import { paced } from '../../src/core/paced.ts';
import type { PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { VideoPacket } from '../../src/core/types.ts';
import type { Model } from '../../src/inference/model.ts';
import { LATENT_CHANNELS } from '../shared/latent-geometry.ts';
import { openStageModel } from '../shared/open-model.ts';
import { convCacheChannels, hasConvCache, LatentRunDecoder } from './decode.ts';
import { framesToRgb } from './frames-to-rgb.ts';
import type { VaeOptions } from './index.ts';

export async function createVaeStage(options: VaeOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  const model = await openStageModel(ctx, 'decoder', 'vae', { warmup: { dims: (m) => tileSizes(m, options) } });
  /** The clip being decoded: its latents may come in several packets (one per DiT window). */
  let stream: LatentRunDecoder | undefined;
  let index = 0;

  async function* decodeVideo(item: StageItem): AsyncGenerator<PortPacket> {
    const latents = item.tensor('latents', { dtype: 'float32', rank: 5 });
    const { dims } = latents.tensor;
    const [B, f, C, h, w] = dims;
    if (B !== 1) {
      // A VideoPacket is one video; a batch of latents would be several.
      throw new InputError(`latents must be [1, f, ${LATENT_CHANNELS}, h, w] (one video), got [${dims.join(', ')}]`);
    }
    // A windowed DiT says where its packet starts and how long the clip is; a single packet is the clip.
    const at = numberMeta(latents.meta, 'latentStart') ?? 0;
    if (at === 0) {
      stream = new LatentRunDecoder(model, options, numberMeta(latents.meta, 'latentFrames') ?? f, [C, h, w], {
        signal: ctx.signal,
      });
      index = 0;
    }
    if (!stream) throw new InputError(`latents start at frame ${at}, but no packet began the clip at frame 0`);
    for await (const run of stream.push(latents.tensor.data as Float32Array, at)) {
      const rgb = framesToRgb(run.frames);
      const video: VideoPacket = {
        kind: 'video',
        chunk: {
          clipId: latents.chunk.clipId,
          index,
          start: run.startFrame / options.fps,
          end: (run.startFrame + rgb.frameCount) / options.fps,
          last: stream.done,
        },
        width: rgb.width,
        height: rgb.height,
        fps: options.fps,
        startFrame: run.startFrame,
        frameCount: rgb.frameCount,
        data: rgb.data,
      };
      index++;
      yield { port: 'frames', packet: video };
    }
    if (latents.chunk.last && !stream.done)
      throw new InputError(
        `the latents ended before the clip did: ${stream.runCount - index} temporal run(s) never arrived`,
      );
  }

  return {
    process: (item) => paced(() => decodeVideo(item), ctx.outputRoom),
    dispose: () => model.release(),
  };
}

function numberMeta(meta: Readonly<Record<string, unknown>> | undefined, key: string): number | undefined {
  const value = meta?.[key];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * With tiling on, a tile of `tileLatents` through a first run is a representative shape; without
 * it the size arrives only with the latents, so there is nothing faithful to warm up on. The cache
 * channels are the model's own, read from the opened file.
 */
function tileSizes(model: Pick<Model, 'path' | 'session'>, options: VaeOptions): Record<string, number> | undefined {
  if (!options.tiling) return undefined;
  const [h, w] = options.tileLatents;
  return {
    B: 1,
    f: options.latentFramesPerRun + 1,
    h,
    w,
    ...(hasConvCache(model) ? { C_cache: convCacheChannels(model) } : {}),
  };
}
