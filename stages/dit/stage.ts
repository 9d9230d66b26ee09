/**
 * The `dit` stage: one `text-embeddings` packet [2, L, D] → one `latents` packet [1, f, 16, h, w]
 * after `steps` denoising steps (denoise.ts). The whole clip is denoised at once (full attention
 * over every latent frame), so the packet keeps the embeddings' chunk — chunk 0, the empty range
 * [0, 0): the video reaches the clock only in the VAE, which knows the fps. `meta` carries the
 * video size the latents were made for.
 *
 * Steps are not logged: the trace records the stage's span, and one line per step would drown
 * the run's log. An aborted `ctx.signal` (run cancelled) ends the loop between steps.
 */
import { ModelError } from '../../src/core/errors.ts';
import type { StageCreateContext, StageInstance } from '../../src/core/stage.ts';
import type { TensorData, TensorPacket } from '../../src/core/types.ts';
import { warmUp } from '../../src/inference/warmup.ts';
import { perChunk } from '../shared/chunk-items.ts';
import { openStageModel, toOrt, type StageModel } from '../shared/stage-model.ts';
import { denoiseLatents, type DenoiseOptions } from './denoise.ts';
import { usesGuidance } from './guidance.ts';
import { latentDims } from '../shared/latent-geometry.ts';
import type { ModelHandle } from '../shared/model-session.ts';

export type DitStageOptions = DenoiseOptions;

/** CogVideoX's prompt length; the warm-up's text shape when the model does not fix one. */
const WARMUP_TEXT_TOKENS = 226;

export async function createDitStage(options: DitStageOptions, ctx: StageCreateContext): Promise<StageInstance> {
  // Size errors (frames not 4k + 1, sides not multiples of 8) surface before a session is made.
  const dims = latentDims(options);
  const model = await openStageModel(ctx, 'transformer', 'dit');
  const handle: ModelHandle = { session: model.session, path: model.path };
  try {
    await warmUpDit(model, dims, options, ctx.settings?.warmup ?? 1);
  } catch (error) {
    await model.release();
    throw error;
  }

  return {
    operator: perChunk([], async ({ cur }) => {
      const packet = cur.ports.embeddings;
      if (!packet || packet.kind !== 'tensor') {
        throw new Error(`stage "${ctx.id}": input "embeddings" expects a text-embeddings tensor, got ${packet ? packet.kind : 'nothing'}`);
      }
      const latents = await denoiseLatents(handle, packet.tensor, options, { signal: ctx.signal });
      const out: TensorPacket = {
        kind: 'tensor',
        chunk: { ...packet.chunk },
        name: 'latents',
        tensor: latents,
        meta: { frames: options.frames, width: options.width, height: options.height, steps: options.steps, seed: options.seed },
      };
      return [{ port: 'latents', packet: out }];
    }),
    dispose: () => model.release(),
  };
}

/**
 * One DiT step's shapes, zero-filled. Done here rather than through openStageModel's hook because
 * the text width D is read from the opened model (the reference and real exports fix it); when
 * the model leaves it symbolic there is no representative shape and the warm-up is skipped.
 */
async function warmUpDit(model: StageModel, dims: readonly number[], options: DitStageOptions, runs: number): Promise<void> {
  if (runs <= 0) return;
  const meta = model.session.inputMetadata.find((m) => m.name === 'encoder_hidden_states');
  const width = meta && meta.isTensor ? meta.shape[2] : undefined;
  if (typeof width !== 'number') return;
  const batch = usesGuidance(options.guidance) ? 2 : 1;
  const hidden = [batch, ...dims.slice(1)];
  const zeros = (shape: number[]): TensorData => ({ dtype: 'float32', dims: shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  try {
    await warmUp(
      model.session,
      {
        hidden_states: zeros(hidden),
        encoder_hidden_states: zeros([batch, WARMUP_TEXT_TOKENS, width]),
        timestep: { dtype: 'int64', dims: [batch], data: new BigInt64Array(batch) },
      },
      runs,
      toOrt,
    );
  } catch (error) {
    throw new ModelError(model.path, `warm-up run on hidden_states [${hidden.join(', ')}] failed: ${(error as Error).message}`, { cause: error });
  }
}
