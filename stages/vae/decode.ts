/**
 * The VAE stage's decode: DiT latents [B, f, 16, h, w] → frames [B, 3, F, 8h, 8w] in [−1, 1].
 *
 * As diffusers' CogVideoX pipeline and AutoencoderKLCogVideoX: latents are divided by the scaling
 * factor and permuted to channels-first [B, 16, f, h, w]; each batch item is decoded alone
 * (slicing); time is decoded causally in runs of `latentFramesPerRun` latent frames (the first run
 * takes the remainder too: 3, 2, 2, … for 13), each run reading the previous run's `conv_cache_out`
 * as its `conv_cache` (zeros for the first), which makes the runs together equal one whole decode;
 * with tiling, each spatial tile is decoded through all its runs and the tiles are blended
 * linearly over their overlap (spatial-tiles.ts). F = 4f − 3·(f mod 2), i.e. 4(f − 1) + 1 for odd f.
 * `decodeLatentRuns` yields the frames run by run for streaming; `decodeLatents` gathers them.
 */
import { vae as vaeManifest } from '../../models/manifests/vae.ts';
import { CancelledError, InputError, ModelError } from '../../src/core/errors.ts';
import type { TensorData } from '../../src/core/types.ts';
import type { Model } from '../../src/inference/model.ts';
import { decodedFrameCount, SPATIAL_COMPRESSION, temporalRuns } from '../shared/latent-geometry.ts';
import { f32 } from '../shared/tensors.ts';
import type { VaeOptions } from './index.ts';
import { axisBlendWeights, planTileAxis, type TileAxis } from './spatial-tiles.ts';

/** The `vae` options the decode reads (all but the clock). */
export type VaeDecodeOptions = Omit<VaeOptions, 'fps' | 'contextLatentFrames'> &
  Partial<Pick<VaeOptions, 'contextLatentFrames'>>;

/** What the decode needs of the decoder: its named run, its file, and its declared cache shape. */
export type VaeModel = Pick<Model, 'run' | 'path' | 'session'>;

export interface VaeRunProgress {
  item: number;
  tile: number;
  tiles: number;
  run: number;
  runs: number;
  runMs: number;
}

export interface VaeDecodeHooks {
  onRun?: (progress: VaeRunProgress) => void;
  signal?: AbortSignal;
}

/** Whether the decoder takes a `conv_cache` (a plain export does not: it is decoded in windows with left context). */
export function hasConvCache(decoder: Pick<Model, 'session'>): boolean {
  return decoder.session.inputMetadata.some((m) => m.name === 'conv_cache');
}

/** Left context of a decoder without a cache: the option, or the family's receptive field. */
function contextFrames(options: VaeDecodeOptions): number {
  return options.contextLatentFrames ?? vaeManifest.receptiveField.before;
}

/** Channels of the model's `conv_cache`, read from the file (the cache layout is the model's own). */
export function convCacheChannels(decoder: Pick<Model, 'path' | 'session'>): number {
  const meta = decoder.session.inputMetadata.find((m) => m.name === 'conv_cache');
  const channels = meta?.isTensor ? meta.shape[1] : undefined;
  if (typeof channels !== 'number' || channels < 1) {
    throw new ModelError(
      decoder.path,
      `input "conv_cache" must declare a fixed channel count (axis 1); found ${meta?.isTensor ? `[${meta.shape.join(', ')}]` : 'none'}`,
    );
  }
  return channels;
}

interface Tile {
  y: number;
  x: number;
  h: number;
  w: number;
  rowWeights: Float32Array;
  columnWeights: Float32Array;
}

function tilesFor(h: number, w: number, options: VaeDecodeOptions): Tile[] {
  const whole = (n: number): TileAxis => ({ length: n, starts: [0], sizes: [n], overlap: 0 });
  const rows = options.tiling ? planTileAxis(h, options.tileLatents[0], options.tileOverlap[0]) : whole(h);
  const columns = options.tiling ? planTileAxis(w, options.tileLatents[1], options.tileOverlap[1]) : whole(w);
  const rowWeights = axisBlendWeights(rows, SPATIAL_COMPRESSION);
  const columnWeights = axisBlendWeights(columns, SPATIAL_COMPRESSION);
  return rows.starts.flatMap((y, i) =>
    columns.starts.map((x, j) => ({
      y,
      x,
      h: rows.sizes[i],
      w: columns.sizes[j],
      rowWeights: rowWeights[i],
      columnWeights: columnWeights[j],
    })),
  );
}

/** One temporal run's decoded frames of one batch item, all tiles blended. */
export interface DecodedRun {
  item: number;
  /** Index of the run's first frame in the decoded clip. */
  startFrame: number;
  /** [1, 3, frames, H, W] in [−1, 1]. */
  frames: TensorData;
}

/**
 * Decodes run by run, yielding each run's frames as soon as all its tiles are done, so a
 * streaming consumer holds one run of frames at a time. Tiles keep their own conv caches across
 * runs (runs outer, tiles inner); the result equals diffusers' tiles-outer order exactly, since
 * each tile's computation is the same sequence of runs either way.
 */
export async function* decodeLatentRuns(
  decoder: VaeModel,
  latents: TensorData,
  options: VaeDecodeOptions,
  hooks: VaeDecodeHooks = {},
): AsyncGenerator<DecodedRun> {
  const [B, f, C, h, w] = latents.dims;
  if (latents.dtype !== 'float32' || latents.dims.length !== 5) {
    throw new InputError(`latents must be float32 [B, f, C, h, w]; got ${latents.dtype} [${latents.dims.join(', ')}]`);
  }
  const itemSize = f * C * h * w;
  for (let item = 0; item < B; item++) {
    const stream = new LatentRunDecoder(decoder, options, f, [C, h, w], hooks, item);
    const data = (latents.data as Float32Array).subarray(item * itemSize, (item + 1) * itemSize);
    yield* stream.push(data, 0);
  }
}

/**
 * One clip's latents decoded as a causal stream while they arrive in pieces (a windowed DiT sends
 * one packet per window): the runs are planned over the whole clip (`latentFrames`), a run is
 * decoded once all its latent frames are here, and each tile's conv cache goes from run to run —
 * so the frames equal one decode of all the latents at once, and only the latents of runs not yet
 * decoded are held.
 *
 * A decoder without `conv_cache` (a plain export) decodes each run with `contextLatentFrames` of
 * the latents before it and drops the frames decoded for them: its causal convs then see real
 * history instead of zeros, which is exact when they reach no further back than the context (the
 * reference decoder: 6 latent frames) — and costs (context + run) / run times the compute.
 */
export class LatentRunDecoder {
  private readonly runs: ReturnType<typeof temporalRuns>;
  private readonly tiles: Tile[];
  private readonly caches: Float32Array[];
  /** 0 for a decoder without a cache. */
  private readonly cacheChannels: number;
  /** Latent frames decoded before each run for a decoder without a cache; 0 with one. */
  private readonly context: number;
  private readonly frameSize: number;
  /** Latent frames [heldStart, heldStart + held.length / frameSize) not yet decoded. */
  private held = new Float32Array(0);
  private heldStart = 0;
  private nextRun = 0;
  private decodedFrames = 0;

  constructor(
    private readonly decoder: VaeModel,
    private readonly options: VaeDecodeOptions,
    private readonly latentFrames: number,
    private readonly shape: readonly [C: number, h: number, w: number],
    private readonly hooks: VaeDecodeHooks = {},
    private readonly item = 0,
  ) {
    const [C, h, w] = shape;
    this.cacheChannels = hasConvCache(decoder) ? convCacheChannels(decoder) : 0;
    this.context = this.cacheChannels === 0 ? contextFrames(options) : 0;
    this.runs = temporalRuns(latentFrames, options.latentFramesPerRun);
    this.tiles = tilesFor(h, w, options);
    this.caches = this.tiles.map((tile) => new Float32Array(this.cacheChannels * 2 * tile.h * tile.w));
    this.frameSize = C * h * w;
  }

  /** Whether every run has been decoded. */
  get done(): boolean {
    return this.nextRun === this.runs.length;
  }

  /** Runs in the stream (as planned over the whole clip). */
  get runCount(): number {
    return this.runs.length;
  }

  /** Adds latent frames [at, at + n) ([n, C, h, w], DiT layout) and decodes every run they complete. */
  async *push(latents: Float32Array, at: number): AsyncGenerator<DecodedRun> {
    const heldEnd = this.heldStart + this.held.length / this.frameSize;
    if (
      at !== heldEnd ||
      latents.length % this.frameSize !== 0 ||
      heldEnd + latents.length / this.frameSize > this.latentFrames
    )
      throw new InputError(
        `latents arrived for frames from ${at} (${latents.length / this.frameSize} of them) where frame ${heldEnd} of ${this.latentFrames} was expected next`,
      );
    const joined = new Float32Array(this.held.length + latents.length);
    joined.set(this.held);
    joined.set(latents, this.held.length);
    this.held = joined;
    const [C, h, w] = this.shape;
    const [H, W] = [h * SPATIAL_COMPRESSION, w * SPATIAL_COMPRESSION];
    const F = decodedFrameCount(this.latentFrames);
    while (!this.done) {
      const run = this.runs[this.nextRun];
      if (run.start + run.count > this.heldStart + this.held.length / this.frameSize) return;
      let out: Float32Array | undefined;
      let runFrames = 0;
      for (const [t, tile] of this.tiles.entries()) {
        if (this.hooks.signal?.aborted) throw new CancelledError('VAE decode cancelled');
        const started = performance.now();
        const before = Math.min(this.context, run.start);
        const z = gatherRun(
          this.held,
          [C, h, w],
          run.start - before - this.heldStart,
          before + run.count,
          tile,
          this.options.scalingFactor,
        );
        const latents = f32(z, [1, C, before + run.count, tile.h, tile.w]);
        const result = await this.decoder.run(
          this.cacheChannels === 0
            ? { latents }
            : { latents, conv_cache: f32(this.caches[t], [1, this.cacheChannels, 2, tile.h, tile.w]) },
        );
        const frames = before === 0 ? result.frames : lastFrames(result.frames, 4 * run.count, this.decoder.path);
        if (this.cacheChannels > 0) this.caches[t] = result.conv_cache_out.data as Float32Array;
        const [fb, fc, fr, fh, fw] = frames.dims;
        if (
          frames.dims.length !== 5 ||
          fb !== 1 ||
          fc !== 3 ||
          fh !== tile.h * SPATIAL_COMPRESSION ||
          fw !== tile.w * SPATIAL_COMPRESSION ||
          (out && fr !== runFrames)
        ) {
          throw new ModelError(
            this.decoder.path,
            `frames has dims [${frames.dims.join(', ')}], expected [1, 3, ${out ? runFrames : 'F'}, ${tile.h * SPATIAL_COMPRESSION}, ${tile.w * SPATIAL_COMPRESSION}]`,
          );
        }
        if (!out) {
          runFrames = fr;
          if (this.decodedFrames + fr > F)
            throw new ModelError(
              this.decoder.path,
              `decoded more than ${F} frames from ${this.latentFrames} latent frames (4f − 3·(f mod 2))`,
            );
          out = new Float32Array(3 * fr * H * W);
        }
        scatterTile(out, [fr, H, W], tile, frames.data as Float32Array);
        this.hooks.onRun?.({
          item: this.item,
          tile: t,
          tiles: this.tiles.length,
          run: this.nextRun,
          runs: this.runs.length,
          runMs: performance.now() - started,
        });
      }
      const startFrame = this.decodedFrames;
      this.decodedFrames += runFrames;
      this.nextRun++;
      // The latents of decoded runs are not needed again (but as context of the next run).
      const keepFrom = this.done
        ? this.latentFrames
        : Math.max(this.heldStart, this.runs[this.nextRun].start - this.context);
      this.held = this.held.slice((keepFrom - this.heldStart) * this.frameSize);
      this.heldStart = keepFrom;
      if (this.done && this.decodedFrames !== F)
        throw new ModelError(
          this.decoder.path,
          `decoded ${this.decodedFrames} frames from ${this.latentFrames} latent frames, expected ${F} (4f − 3·(f mod 2))`,
        );
      yield { item: this.item, startFrame, frames: { dtype: 'float32', dims: [1, 3, runFrames, H, W], data: out! } };
    }
  }
}

/**
 * The last `count` frames of `frames` [1, 3, n, H, W]: a run's own frames (4 per latent: a later
 * run's count is even), after those decoded for its context (where context + run is odd, the
 * first context latent gives 1 frame, not 4).
 */
function lastFrames(frames: TensorData, count: number, path: string): TensorData {
  const [b, c, n, H, W] = frames.dims;
  if (frames.dims.length !== 5 || b !== 1 || c !== 3 || n < count)
    throw new ModelError(path, `frames has dims [${frames.dims.join(', ')}], expected [1, 3, ≥ ${count}, H, W]`);
  const plane = H * W;
  const data = frames.data as Float32Array;
  const out = new Float32Array(3 * count * plane);
  for (let ch = 0; ch < 3; ch++)
    out.set(data.subarray((ch * n + n - count) * plane, (ch * n + n) * plane), ch * count * plane);
  return { dtype: 'float32', dims: [1, 3, count, H, W], data: out };
}

/** The whole decode at once: frames [B, 3, F, 8h, 8w] in [−1, 1]. */
export async function decodeLatents(
  decoder: VaeModel,
  latents: TensorData,
  options: VaeDecodeOptions,
  hooks: VaeDecodeHooks = {},
): Promise<TensorData> {
  const [B, f, , h, w] = latents.dims;
  const [F, H, W] = [decodedFrameCount(f), h * SPATIAL_COMPRESSION, w * SPATIAL_COMPRESSION];
  const out = new Float32Array(B * 3 * F * H * W);
  for await (const run of decodeLatentRuns(decoder, latents, options, hooks)) {
    const fr = run.frames.dims[2];
    const data = run.frames.data as Float32Array;
    for (let c = 0; c < 3; c++) {
      out.set(data.subarray(c * fr * H * W, (c + 1) * fr * H * W), ((run.item * 3 + c) * F + run.startFrame) * H * W);
    }
  }
  return { dtype: 'float32', dims: [B, 3, F, H, W], data: out };
}

/** Latent frames [start, start + count) of `frames` ([n, C, h, w]) in one tile, divided by the scaling factor, as [1, C, count, th, tw]. */
function gatherRun(
  frames: Float32Array,
  [C, h, w]: readonly number[],
  start: number,
  count: number,
  tile: Tile,
  scalingFactor: number,
): Float32Array {
  const z = new Float32Array(C * count * tile.h * tile.w);
  let o = 0;
  for (let c = 0; c < C; c++) {
    for (let k = start; k < start + count; k++) {
      const frameBase = (k * C + c) * h * w;
      for (let y = tile.y; y < tile.y + tile.h; y++) {
        const row = frameBase + y * w;
        for (let x = tile.x; x < tile.x + tile.w; x++) z[o++] = frames[row + x] / scalingFactor;
      }
    }
  }
  return z;
}

/** Adds one tile's decoded run, weighted by its blend weights, into the run's frames [3, fr, H, W]. */
function scatterTile(out: Float32Array, [fr, H, W]: number[], tile: Tile, data: Float32Array): void {
  const [th, tw] = [tile.h * SPATIAL_COMPRESSION, tile.w * SPATIAL_COMPRESSION];
  const [y0, x0] = [tile.y * SPATIAL_COMPRESSION, tile.x * SPATIAL_COMPRESSION];
  for (let plane = 0; plane < 3 * fr; plane++) {
    const from = plane * th * tw;
    const to = plane * H * W;
    for (let y = 0; y < th; y++) {
      const wy = tile.rowWeights[y];
      if (wy === 0) continue;
      const outRow = to + (y0 + y) * W + x0;
      const inRow = from + y * tw;
      for (let x = 0; x < tw; x++) out[outRow + x] += wy * tile.columnWeights[x] * data[inRow + x];
    }
  }
}
