/**
 * Spatial tiling of a VAE decode, per axis: where tiles start (in latents) and the linear blend
 * weights of each tile's decoded pixels.
 *
 * Geometry as diffusers' AutoencoderKLCogVideoX.tiled_decode with its defaults (tile 30 × 45
 * latents, overlap 1/6 × 1/5): tiles start every `stride = floor(tile·(1 − overlap))` latents
 * (25, 36) and neighbours share `tile − stride` latents (5, 9 → 40, 72 pixels). Within that shared
 * band the later tile's weight rises linearly — diffusers' `blend_v`/`blend_h`:
 *
 *     b[:, :, :, y, :] = a[:, :, :, -blend_extent + y, :] * (1 - y / blend_extent) + b[:, :, :, y, :] * (y / blend_extent)
 *
 * — and the earlier tile's falls by the same amount, so the weights of all tiles sum to 1 at
 * every pixel. Two departures from diffusers, both so the geometry holds for any size: the blend
 * band is the whole shared band (diffusers' `int(tile_px·overlap)` equals it for the defaults but
 * not for every tile size), and no tile is started once the previous one reaches the edge (diffusers
 * starts one every stride up to the edge, leaving slivers of a few latents with no context).
 * Weights are separable: a pixel's weight in tile (i, j) is rowWeight_i · columnWeight_j.
 */

export interface TileAxis {
  /** Latents along the axis. */
  length: number;
  /** Start of each tile, latents. */
  starts: number[];
  /** Latents of each tile (the last may be shorter, clipped at the edge). */
  sizes: number[];
  /** Latents shared by neighbouring tiles; the blend band in pixels is this × the VAE scale. */
  overlap: number;
}

export function planTileAxis(length: number, tile: number, overlapFraction: number): TileAxis {
  if (!Number.isInteger(tile) || tile < 1)
    throw new RangeError(`tile size must be a positive integer of latents, got ${tile}`);
  if (!(overlapFraction >= 0 && overlapFraction <= 0.5))
    throw new RangeError(`tile overlap must be in [0, 0.5], got ${overlapFraction}`);
  if (length <= tile) return { length, starts: [0], sizes: [length], overlap: 0 };
  // 1e-9 absorbs float error: 30·(1 − 1/6) must give 25, not 24.999…. A stride of at least half
  // a tile keeps every pixel inside at most two tiles along the axis (floor can undershoot it).
  const stride = Math.max(Math.ceil(tile / 2), Math.floor(tile * (1 - overlapFraction) + 1e-9));
  const starts = [0];
  while (starts[starts.length - 1] + tile < length) starts.push(starts[starts.length - 1] + stride);
  return { length, starts, sizes: starts.map((s) => Math.min(tile, length - s)), overlap: tile - stride };
}

/**
 * Blend weights of each tile's pixels along the axis (`scale` pixels per latent), indexed by the
 * pixel's offset inside the tile. The rising ramp is y/E over the first E = overlap·scale pixels
 * of every tile but the first; the falling ramp 1 − y/E covers the same pixels, which are the
 * last E of the previous tile.
 */
export function axisBlendWeights(axis: TileAxis, scale: number): Float32Array[] {
  const band = axis.overlap * scale;
  return axis.starts.map((start, k) => {
    const weights = new Float32Array(axis.sizes[k] * scale).fill(1);
    if (k > 0) for (let y = 0; y < band; y++) weights[y] = y / band;
    if (k < axis.starts.length - 1) {
      const nextOffset = (axis.starts[k + 1] - start) * scale;
      for (let y = 0; y < band; y++) weights[nextOffset + y] = 1 - y / band;
    }
    return weights;
  });
}
