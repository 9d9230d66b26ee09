/**
 * The `vae` stage: one `latents` packet [1, f, 16, h, w] → the video, streamed one temporal run
 * at a time (vae-decode.ts): each run's frames leave as a VideoPacket as soon as its tiles are
 * decoded, so downstream encoding overlaps the rest of the decode and only one run of frames is
 * held here. This is where the video meets the clock: run r is chunk r, covering frames
 * [startFrame, startFrame + frameCount) = [startFrame / fps, (startFrame + frameCount) / fps)
 * seconds; with CogVideoX's runs of 2 latent frames that is 9 frames, then 8 per run. The run
 * count is known from the latent shape, so `last` is set without holding a run back.
 */
import { concatMap, from } from 'rxjs';
import { ModelError } from '../../src/core/errors.ts';
import type { PortPacket, StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { Packet, VideoPacket } from '../../src/core/types.ts';
import { warmUp } from '../../src/inference/warmup.ts';
import { openStageModel, toOrt, type StageModel } from '../shared/stage-model.ts';
import { framesToRgb } from './frames-to-rgb.ts';
import { LATENT_CHANNELS, temporalRuns } from '../shared/latent-geometry.ts';
import type { ModelHandle } from '../shared/model-session.ts';
import { convCacheChannels, decodeLatentRuns, type VaeDecodeOptions } from './decode.ts';

export interface VaeStageOptions extends VaeDecodeOptions {
  /** Frames per second of the decoded video. */
  fps: number;
}

export async function createVaeStage(options: VaeStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  const model = await openStageModel(ctx, 'decoder', 'vae');
  const handle: ModelHandle = { session: model.session, path: model.path };
  try {
    await warmUpTile(model, handle, options, ctx.settings?.warmup ?? 1);
  } catch (error) {
    await model.release();
    throw error;
  }

  async function* decodeVideo(packet: Packet): AsyncGenerator<PortPacket> {
    if (packet.kind !== 'tensor') throw new Error(`stage "${ctx.id}": input "latents" expects a latents tensor, got ${packet.kind}`);
    const { dims } = packet.tensor;
    if (dims.length !== 5 || dims[0] !== 1) {
      // A VideoPacket is one video; a batch of latents would be several.
      throw new Error(`stage "${ctx.id}": latents must be [1, f, ${LATENT_CHANNELS}, h, w] (one video), got [${dims.join(', ')}]`);
    }
    const runs = temporalRuns(dims[1], options.latentFramesPerRun).length;
    let index = 0;
    for await (const run of decodeLatentRuns(handle, packet.tensor, options, { signal: ctx.signal })) {
      const rgb = framesToRgb(run.frames);
      const video: VideoPacket = {
        kind: 'video',
        chunk: {
          clipId: packet.chunk.clipId,
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
    operator: (input) => input.pipe(concatMap(({ packet }) => from(decodeVideo(packet)))),
    dispose: () => model.release(),
  };
}

/**
 * With tiling on, a tile of `tileLatents` through a first run is a representative shape; without
 * it the size arrives only with the latents, so there is nothing faithful to warm up on.
 */
async function warmUpTile(model: StageModel, handle: ModelHandle, options: VaeStageOptions, runs: number): Promise<void> {
  if (runs <= 0 || !options.tiling) return;
  const [h, w] = options.tileLatents;
  const frames = options.latentFramesPerRun + 1;
  const cache = convCacheChannels(handle);
  const zeros = (shape: number[]) => ({ dtype: 'float32' as const, dims: shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  try {
    await warmUp(model.session, { latents: zeros([1, LATENT_CHANNELS, frames, h, w]), conv_cache: zeros([1, cache, 2, h, w]) }, runs, toOrt);
  } catch (error) {
    throw new ModelError(model.path, `warm-up run on a ${h}×${w}-latent tile failed: ${(error as Error).message}`, { cause: error });
  }
}
