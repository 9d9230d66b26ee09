/**
 * The `dit` stage: one `text-embeddings` packet [2, L, D] → the clip's latents [1, f, 16, h, w]
 * after `steps` denoising steps (denoise.ts), window after window (windows.ts) when the clip is
 * longer than the model's window: one `latents` packet per window, chunk k, sent as soon as the
 * window is done, so the VAE decodes window k while window k + 1 is denoised, and memory holds one
 * window whatever the length. The packets keep the embeddings' empty range [0, 0): the video
 * reaches the clock only in the VAE, which knows the fps. `meta` carries the video size, where the
 * packet starts (`latentStart`) and the clip's latent frames (`latentFrames`).
 *
 * Steps are reported (ctx.progress, `window k of n`), not logged. An aborted `ctx.signal` (run
 * cancelled) ends the loop between steps.
 */
import type { StageItem } from '../../src/core/item.ts';
import { paced } from '../../src/core/paced.ts';
import type { PortPacket, StageCreateContext, TransformInstance } from '../../src/core/stage.ts';
import type { TensorPacket } from '../../src/core/types.ts';
import type { Model } from '../../src/inference/model.ts';
import { latentDims } from '../shared/latent-geometry.ts';
import { ModelError } from '../../src/core/errors.ts';
import { declaredAxis } from '../shared/declared-axis.ts';
import { openStageModel } from '../shared/open-model.ts';
import { usesGuidance } from './guidance.ts';
import type { DitOptions } from './index.ts';
import { denoiseWindows } from './windowed-denoise.ts';

/** CogVideoX's prompt length; the warm-up's text shape when the model does not fix one. */
const WARMUP_TEXT_TOKENS = 226;

export async function createDitStage(options: DitOptions, ctx: StageCreateContext): Promise<TransformInstance> {
  // Size errors (frames not 4k + 1, sides not multiples of 8) surface before a session is made.
  const dims = latentDims(options);
  // Every window is full (windows.ts): one window's shapes are every step's.
  const window = [dims[0], Math.min(dims[1], options.windowLatentFrames), ...dims.slice(2)];
  const model = await openStageModel(ctx, 'transformer', 'dit', {
    warmup: {
      dims: (m) => {
        assertLatentSize(m, window, dims[1], ctx.id);
        return warmupSizes(m, window, options);
      },
    },
  });
  try {
    assertLatentSize(model, window, dims[1], ctx.id);
  } catch (err) {
    await model.release();
    throw err;
  }

  /** The clip's latents, window after window: one packet per window (windowed-denoise.ts). */
  async function* denoise(item: StageItem): AsyncGenerator<PortPacket> {
    const embeddings = item.tensor('embeddings', { dtype: 'float32', rank: 3 });
    const [, total, C, h, w] = dims;
    const progress = (done: number, steps: number, k: number, n: number) =>
      ctx.progress?.(done, steps, n > 1 ? `window ${k + 1} of ${n}` : undefined);
    for await (const settled of denoiseWindows(model, embeddings.tensor, options, { signal: ctx.signal, progress })) {
      const out: TensorPacket = {
        kind: 'tensor',
        chunk: { ...embeddings.chunk, index: settled.window, last: settled.window === settled.windows - 1 },
        name: 'latents',
        tensor: { dtype: 'float32', dims: [1, settled.end - settled.start, C, h, w], data: settled.frames },
        meta: {
          frames: options.frames,
          width: options.width,
          height: options.height,
          steps: options.steps,
          seed: options.seed,
          latentStart: settled.start,
          latentFrames: total,
          window: settled.window,
          windows: settled.windows,
        },
      };
      yield { port: 'latents', packet: out };
    }
  }

  return {
    process: (item) => paced(() => denoise(item), ctx.outputRoom),
    dispose: () => model.release(),
  };
}

/**
 * An export fixed to one latent size (CogVideoX-2B's positions are built for its sample size) must
 * be given windows of that size: said before any step, with the options that give it (only the
 * axes the file fixes are compared and named).
 */
function assertLatentSize(
  model: Pick<Model, 'session' | 'path'>,
  window: readonly number[],
  clipLatentFrames: number,
  stage: string,
): void {
  const [, F, , H, W] = window;
  const [f, h, w] = [1, 3, 4].map((axis) => declaredAxis(model.session, 'input', 'hidden_states', axis));
  const fixes: string[] = [];
  if (f !== undefined && f !== F)
    fixes.push(
      clipLatentFrames >= f
        ? `windowLatentFrames ${f}`
        : `frames ${4 * (f - 1) + 1} or more (with windowLatentFrames ${f})`,
    );
  if (h !== undefined && h !== H) fixes.push(`height ${8 * h}`);
  if (w !== undefined && w !== W) fixes.push(`width ${8 * w}`);
  if (fixes.length === 0) return;
  const size = (a: number | string, b: number | string, c: number | string) => `${a} × ${b} × ${c}`;
  throw new ModelError(
    model.path,
    `takes latents of ${size(f ?? 'F', h ?? 'H', w ?? 'W')} (frames × height × width), fixed at export; each window here is ${size(F, H, W)}: set stages.${stage}.options ${fixes.join(', ')}, or export at this size (models/export/dit.py --latent-frames ${F} --latent-height ${H} --latent-width ${W})`,
  );
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
  const width = declaredAxis(model.session, 'input', 'encoder_hidden_states', 2);
  if (width === undefined) return undefined;
  const [, F, , H, W] = dims;
  return { B: usesGuidance(options.guidance) ? 2 : 1, F, H, W, L: WARMUP_TEXT_TOKENS, D: width };
}
