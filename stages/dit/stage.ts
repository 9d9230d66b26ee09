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
import { defer } from 'rxjs';
import type { StageItem } from '../../src/core/item.ts';
import type { PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { TensorPacket } from '../../src/core/types.ts';
import type { Model } from '../../src/inference/model.ts';
import { latentDims } from '../shared/latent-geometry.ts';
import { openStageModel } from '../shared/open-model.ts';
import { denoiseLatents } from './denoise.ts';
import { usesGuidance } from './guidance.ts';
import type { DitOptions } from './index.ts';

/** CogVideoX's prompt length; the warm-up's text shape when the model does not fix one. */
const WARMUP_TEXT_TOKENS = 226;

export async function createDitStage(options: DitOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  // Size errors (frames not 4k + 1, sides not multiples of 8) surface before a session is made.
  const dims = latentDims(options);
  const model = await openStageModel(ctx, 'transformer', 'dit', {
    warmup: { dims: (m) => warmupSizes(m, dims, options) },
  });

  async function denoise(item: StageItem): Promise<PortPacket> {
    const embeddings = item.tensor('embeddings', { dtype: 'float32', rank: 3 });
    const latents = await denoiseLatents(model, embeddings.tensor, options, {
      signal: ctx.signal,
      onStep: (p) => ctx.progress?.(p.step + 1, options.steps),
    });
    const out: TensorPacket = {
      kind: 'tensor',
      chunk: { ...embeddings.chunk },
      name: 'latents',
      tensor: latents,
      meta: {
        frames: options.frames,
        width: options.width,
        height: options.height,
        steps: options.steps,
        seed: options.seed,
      },
    };
    return { port: 'latents', packet: out };
  }

  return {
    process: (item) => defer(() => denoise(item)),
    dispose: () => model.release(),
  };
}

/**
 * One DiT step's shapes. The text width D is read from the opened model (the reference and real
 * exports fix it); when the model leaves it symbolic there is no representative shape: no warm-up.
 */
function warmupSizes(
  model: Pick<Model, 'session'>,
  dims: readonly number[],
  options: DitOptions,
): Record<string, number> | undefined {
  const meta = model.session.inputMetadata.find((m) => m.name === 'encoder_hidden_states');
  const width = meta?.isTensor ? meta.shape[2] : undefined;
  if (typeof width !== 'number' || width < 1) return undefined;
  const [, F, , H, W] = dims;
  return { B: usesGuidance(options.guidance) ? 2 : 1, F, H, W, L: WARMUP_TEXT_TOKENS, D: width };
}
