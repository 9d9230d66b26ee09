/**
 * The `vae` stage: one `latents` packet [1, f, 16, h, w] → the video, streamed one temporal run
 * at a time (decode.ts): each run's frames leave as a VideoPacket as soon as its tiles are
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
import { LATENT_CHANNELS, temporalRuns } from '../shared/latent-geometry.ts';
import { openStageModel } from '../shared/open-model.ts';
import { convCacheChannels, decodeLatentRuns } from './decode.ts';
import { framesToRgb } from './frames-to-rgb.ts';
import type { VaeOptions } from './index.ts';

export async function createVaeStage(options: VaeOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  const model = await openStageModel(ctx, 'decoder', 'vae', { warmup: { dims: (m) => tileSizes(m, options) } });

  async function* decodeVideo(item: StageItem): AsyncGenerator<PortPacket> {
    const latents = item.tensor('latents', { dtype: 'float32', rank: 5 });
    const { dims } = latents.tensor;
    if (dims[0] !== 1) {
      // A VideoPacket is one video; a batch of latents would be several.
      throw new InputError(`latents must be [1, f, ${LATENT_CHANNELS}, h, w] (one video), got [${dims.join(', ')}]`);
    }
    const runs = temporalRuns(dims[1], options.latentFramesPerRun).length;
    let index = 0;
    for await (const run of decodeLatentRuns(model, latents.tensor, options, { signal: ctx.signal })) {
      const rgb = framesToRgb(run.frames);
      const video: VideoPacket = {
        kind: 'video',
        chunk: {
          clipId: latents.chunk.clipId,
          index,
          start: run.startFrame / options.fps,
          end: (run.startFrame + rgb.frameCount) / options.fps,
          last: index === runs - 1,
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
  }

  return {
    process: (item) => paced(() => decodeVideo(item), ctx.outputRoom),
    dispose: () => model.release(),
  };
}

/**
 * With tiling on, a tile of `tileLatents` through a first run is a representative shape; without
 * it the size arrives only with the latents, so there is nothing faithful to warm up on. The cache
 * channels are the model's own, read from the opened file.
 */
function tileSizes(model: Pick<Model, 'path' | 'session'>, options: VaeOptions): Record<string, number> | undefined {
  if (!options.tiling) return undefined;
  const [h, w] = options.tileLatents;
  return { B: 1, f: options.latentFramesPerRun + 1, h, w, C_cache: convCacheChannels(model) };
}
