/**
 * Text-to-video timings on the bundled reference models, at the sizes of
 * pipelines/text-to-video.yaml (17 frames, 256 × 160 → latents 5 × 20 × 32, 226 tokens):
 * text encoding, one denoising step (DiT on the CFG batch of 2 + guidance + scheduler), and the
 * VAE decode (runs of 2 latent frames, untiled and tiled), for the tiny and medium scales. Also
 * measures how far a tiled decode departs from the untiled one near tile edges.
 *
 *   npx tsx scripts/bench/t2v-steps.ts [--scales tiny,medium] [--steps 4] [--threads 2]
 */
import { ensureReferenceModel } from '../../models/reference.ts';
import type { Scale } from '../../models/manifest.ts';
import { MANIFESTS } from '../../models/manifests/index.ts';
import { DEFAULT_NODE_SETTINGS } from '../../src/core/settings.ts';
import { openModel } from '../../src/inference/model.ts';
import { denoiseLatents, type DenoiseProgress } from '../../stages/dit/denoise.ts';
import { encodePrompts } from '../../stages/text-encoder/embeddings.ts';
import { decodeLatents, type VaeDecodeOptions } from '../../stages/vae/decode.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const scales = arg('scales', 'tiny,medium').split(',') as Scale[];
const steps = Number(arg('steps', '4'));
const threads = Number(arg('threads', '2'));
const size = { frames: 17, width: 256, height: 160 };
const settings = { ...DEFAULT_NODE_SETTINGS, warmup: 0, threads: { intraOp: threads, interOp: 1, spinning: false } };

const open = async (family: 'text-encoder' | 'dit' | 'vae', scale: Scale) =>
  openModel({
    stage: family,
    path: await ensureReferenceModel(family, scale),
    contract: MANIFESTS[family],
    settings,
    log: () => {},
  });
const ms = (x: number) => `${x.toFixed(1)} ms`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const out = await f();
  return [out, performance.now() - t];
}

console.log(
  `text-to-video reference timings — ${size.frames} frames ${size.width}×${size.height}, ${threads} intra-op thread(s), CPU`,
);
for (const scale of scales) {
  const [encoder, dit, vae] = [await open('text-encoder', scale), await open('dit', scale), await open('vae', scale)];
  const [{ embeddings }, encodeMs] = await time(() =>
    encodePrompts(encoder, { prompt: 'a paper boat on a rainy street', negativePrompt: '', maxTokens: 226 }),
  );

  const options = {
    steps,
    guidance: 6,
    dynamicGuidance: true,
    scheduler: 'cogvideox-ddim' as const,
    snrShiftScale: 3,
    seed: 42,
    ...size,
  };
  await denoiseLatents(dit, embeddings, { ...options, steps: 1 }); // warm-up
  const progress: DenoiseProgress[] = [];
  const [latents, loopMs] = await time(() =>
    denoiseLatents(dit, embeddings, options, { onStep: (p) => progress.push(p) }),
  );

  const plain: VaeDecodeOptions = {
    scalingFactor: 1.15258426,
    latentFramesPerRun: 2,
    tiling: false,
    tileLatents: [30, 45],
    tileOverlap: [1 / 6, 1 / 5],
  };
  const tiled: VaeDecodeOptions = { ...plain, tiling: true, tileLatents: [12, 16] };
  await decodeLatents(vae, latents, plain); // warm-up
  const [whole, decodeMs] = await time(() => decodeLatents(vae, latents, plain));
  const [tiles, tiledMs] = await time(() => decodeLatents(vae, latents, tiled));
  let maxDiff = 0;
  const [a, b] = [whole.data as Float32Array, tiles.data as Float32Array];
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));

  const stepMs = progress.map((p) => p.stepMs);
  const runMs = progress.map((p) => p.runMs);
  console.log(`\n[${scale}] latents [${latents.dims.join(', ')}], frames out [${whole.dims.join(', ')}]`);
  console.log(
    `  text encoder  [2, 226] → [${embeddings.dims.join(', ')}]: ${ms(encodeMs)} (first run, includes session warm-up)`,
  );
  console.log(
    `  denoise step  median ${ms(median(stepMs))} (DiT run ${ms(median(runMs))}, guidance + scheduler ${ms(median(stepMs) - median(runMs))}) over ${steps} steps; loop ${ms(loopMs)}`,
  );
  console.log(`  → 50 steps ≈ ${((median(stepMs) * 50) / 1000).toFixed(1)} s`);
  console.log(
    `  VAE decode    untiled (runs 3, 2) ${ms(decodeMs)}; tiled 12×16 latents ${ms(tiledMs)}; max |tiled − untiled| ${maxDiff.toExponential(2)}`,
  );
  for (const m of [encoder, dit, vae]) await m.release();
}
