import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.ts';
import type { TensorData } from '../../../src/core/types.ts';
import { framesToRgb } from '../../../stages/vae/frames-to-rgb.ts';
import type { Model } from '../../../src/inference/model.ts';
import { gaussianNoise } from '../../../stages/shared/seeded-noise.ts';
import { planTileAxis } from '../../../stages/vae/spatial-tiles.ts';
import {
  decodeLatentRuns,
  decodeLatents,
  LatentRunDecoder,
  type VaeDecodeOptions,
  type VaeRunProgress,
} from '../../../stages/vae/decode.ts';
import { maxAbsDiff, openModelFile, openReference } from '../text-to-video/sessions.ts';
import { buildVae } from '../../../models/families/vae.ts';
import { vae as vaeManifest } from '../../../models/manifests/vae.ts';

const plain: VaeDecodeOptions = {
  scalingFactor: 1.15258426,
  latentFramesPerRun: 2,
  tiling: false,
  tileLatents: [30, 45],
  tileOverlap: [1 / 6, 1 / 5],
};

function latents(f: number, h: number, w: number, seed: number): TensorData {
  return { dtype: 'float32', dims: [1, f, 16, h, w], data: gaussianNoise(f * 16 * h * w, seed) };
}

describe('VAE decode on the tiny reference VAE', () => {
  let vae: Model;
  beforeAll(async () => {
    vae = await openReference('vae');
  });
  afterAll(async () => vae.release());

  it('decodes 5 latent frames to 17 frames in runs of 3, 2 that equal one whole decode (conv cache)', async () => {
    const z = latents(5, 6, 8, 3);
    const runs: VaeRunProgress[] = [];
    const chunked = await decodeLatents(vae, z, plain, { onRun: (p) => runs.push(p) });
    const whole = await decodeLatents(vae, z, { ...plain, latentFramesPerRun: 64 });
    expect(chunked.dims).toEqual([1, 3, 17, 48, 64]);
    expect(whole.dims).toEqual([1, 3, 17, 48, 64]);
    expect(runs.map((r) => r.run)).toEqual([0, 1]);
    expect(maxAbsDiff(chunked.data as Float32Array, whole.data as Float32Array)).toBeLessThan(1e-5);
  });

  it('matches over 9 latent frames whether cut 3, 2, 2, 2 or 5, 4; refuses odd runs shorter than the clip', async () => {
    const z = latents(9, 4, 4, 4);
    const count = (n: number) => async () => {
      const runs: number[] = [];
      const out = await decodeLatents(vae, z, { ...plain, latentFramesPerRun: n }, { onRun: (p) => runs.push(p.run) });
      return { out: out.data as Float32Array, frames: out.dims[2], runs: runs.length };
    };
    const [twos, fours, whole] = [await count(2)(), await count(4)(), await count(9)()];
    expect([twos.runs, fours.runs, whole.runs]).toEqual([4, 2, 1]);
    expect([twos.frames, fours.frames, whole.frames]).toEqual([33, 33, 33]);
    expect(maxAbsDiff(twos.out, whole.out)).toBeLessThan(1e-5);
    expect(maxAbsDiff(fours.out, whole.out)).toBeLessThan(1e-5);
    await expect(decodeLatents(vae, z, { ...plain, latentFramesPerRun: 3 })).rejects.toBeInstanceOf(ConfigError);
  });

  it('decodes latents that arrive in pieces (one per DiT window) as one stream: frames equal to one decode', async () => {
    const z = latents(12, 4, 4, 6);
    const whole = await decodeLatents(vae, z, plain);
    const frameSize = 16 * 4 * 4;
    const stream = new LatentRunDecoder(vae, plain, 12, [16, 4, 4]);
    const decoded: Float32Array[] = [];
    // Windows of 8 overlapping by 2 send frames [0, 6), [6, 12) … cut unevenly here, one piece completing no run.
    for (const [start, end] of [
      [0, 6],
      [6, 7],
      [7, 12],
    ]) {
      const piece = (z.data as Float32Array).subarray(start * frameSize, end * frameSize);
      for await (const run of stream.push(piece, start)) decoded.push(run.frames.data as Float32Array);
    }
    expect(stream.done).toBe(true);
    const frames = decoded.reduce((n, d) => n + d.length, 0);
    expect(frames).toBe((whole.data as Float32Array).length);
    // The runs' frames in order are the whole decode's, channel-planar per run: compare run by run.
    const [F, H, W] = [whole.dims[2], whole.dims[3], whole.dims[4]];
    let at = 0;
    for (const run of decoded) {
      const fr = run.length / (3 * H * W);
      for (let c = 0; c < 3; c++) {
        const got = run.subarray(c * fr * H * W, (c + 1) * fr * H * W);
        const want = (whole.data as Float32Array).subarray((c * F + at) * H * W, (c * F + at + fr) * H * W);
        expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
      }
      at += fr;
    }
    await expect(async () => {
      for await (const _ of stream.push(new Float32Array(frameSize), 3)) void _;
    }).rejects.toThrow(/latents arrived for frames from 3/);
  });

  it('divides by the scaling factor before decoding', async () => {
    const z = latents(1, 4, 4, 5);
    const scaled: TensorData = { ...z, data: (z.data as Float32Array).map((v) => v * 2) };
    const a = await decodeLatents(vae, z, { ...plain, scalingFactor: 1 });
    const b = await decodeLatents(vae, scaled, { ...plain, scalingFactor: 2 });
    expect(maxAbsDiff(a.data as Float32Array, b.data as Float32Array)).toBeLessThan(1e-6);
  });

  it('tiles spatially: equal to the untiled decode away from tile edges, bounded near them', async () => {
    const [h, w] = [24, 32];
    const z = latents(3, h, w, 6);
    const tiled: VaeDecodeOptions = { ...plain, tiling: true, tileLatents: [12, 20] }; // default overlaps 1/6, 1/5
    const a = (await decodeLatents(vae, z, plain)).data as Float32Array;
    const b = (await decodeLatents(vae, z, tiled)).data as Float32Array;
    const rows = planTileAxis(h, 12, 1 / 6);
    const columns = planTileAxis(w, 20, 1 / 5);
    expect(rows.starts.length * columns.starts.length).toBeGreaterThan(1);

    // The decoder sees ±4 latents spatially (models/manifests/vae.ts): a pixel farther than that
    // from every tile edge that is not the image border was computed from the same inputs, so the
    // only admissible difference there is float reordering between convolution algorithms chosen
    // for different tile sizes (1e-5 on values in [−1, 1]). Measured: exactly 0 beyond 16 px of an
    // inner tile edge, up to 0.27 within 8 px of one (seeded random weights, zero padding at tile edges).
    const reach = 4 * 8;
    const interiorAxis = (axis: typeof rows, p: number): boolean => {
      const cuts = new Set<number>();
      axis.starts.forEach((s, k) => {
        if (s > 0) cuts.add(s * 8);
        if (s + axis.sizes[k] < axis.length) cuts.add((s + axis.sizes[k]) * 8);
      });
      // Covered by one tile only, and far from all of that tile's inner edges.
      const owners = axis.starts.filter((s, k) => p >= s * 8 && p < (s + axis.sizes[k]) * 8);
      return owners.length === 1 && [...cuts].every((c) => Math.abs(p + 0.5 - c) > reach);
    };
    const [F, H, W] = [9, h * 8, w * 8];
    let [interior, inner, maxInterior, maxAll] = [0, 0, 0, 0];
    for (let c = 0; c < 3; c++)
      for (let f = 0; f < F; f++)
        for (let y = 0; y < H; y++)
          for (let x = 0; x < W; x++) {
            const i = ((c * F + f) * H + y) * W + x;
            const d = Math.abs(a[i] - b[i]);
            maxAll = Math.max(maxAll, d);
            if (interiorAxis(rows, y) && interiorAxis(columns, x)) {
              interior++;
              maxInterior = Math.max(maxInterior, d);
            } else inner++;
          }
    expect(interior).toBeGreaterThan(0.05 * 3 * F * H * W);
    expect(maxInterior).toBeLessThan(1e-5);
    // Near tile edges zero padding replaces real neighbours: a real, bounded difference.
    expect(inner).toBeGreaterThan(0);
    expect(maxAll).toBeGreaterThan(1e-4);
    expect(maxAll).toBeLessThan(1); // frames are tanh outputs in [−1, 1]
  });

  it('streams run by run (9 then 8 frames for 5 latents), all tiles blended, equal to the gathered decode', async () => {
    const z = latents(5, 6, 10, 8);
    const options: VaeDecodeOptions = { ...plain, tiling: true, tileLatents: [4, 6] };
    const whole = (await decodeLatents(vae, z, options)).data as Float32Array;
    const [H, W, F] = [48, 80, 17];
    const seen: number[][] = [];
    for await (const run of decodeLatentRuns(vae, z, options)) {
      const fr = run.frames.dims[2];
      seen.push([run.startFrame, fr]);
      const data = run.frames.data as Float32Array;
      for (let c = 0; c < 3; c++) {
        const expected = whole.subarray((c * F + run.startFrame) * H * W, (c * F + run.startFrame + fr) * H * W);
        expect(Array.from(data.subarray(c * fr * H * W, (c + 1) * fr * H * W))).toEqual(Array.from(expected));
      }
    }
    expect(seen).toEqual([
      [0, 9],
      [9, 8],
    ]);
  });

  it('maps [−1, 1] frames to RGB24 bytes, frame by frame', async () => {
    const z = latents(3, 2, 2, 9);
    const decoded = await decodeLatents(vae, z, plain);
    const rgb = framesToRgb(decoded);
    expect([rgb.frameCount, rgb.height, rgb.width]).toEqual([9, 16, 16]);
    expect(rgb.data.length).toBe(9 * 16 * 16 * 3);
    const src = decoded.data as Float32Array;
    const [F, H, W] = [9, 16, 16];
    for (const [f, y, x, c] of [
      [0, 0, 0, 0],
      [8, 15, 15, 2],
      [4, 7, 3, 1],
    ]) {
      const v = src[((c * F + f) * H + y) * W + x];
      expect(rgb.data[((f * H + y) * W + x) * 3 + c]).toBe(Math.round(Math.min(1, Math.max(0, (v + 1) / 2)) * 255));
    }
  });

  it('a decoder exported without conv_cache decodes in windows with left context, equal to the cached decode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reel-vae-nocache-'));
    const file = join(dir, 'vae-nocache.onnx');
    writeFileSync(file, buildVae(vaeManifest.scales.tiny, 'vae/tiny', { cache: false }));
    const plainExport = await openModelFile(file, 'vae');
    try {
      expect(plainExport.inputNames).toEqual(['latents']);
      const z = latents(13, 3, 4, 21);
      const cached = await decodeLatents(vae, z, plain);
      const windows: number[] = [];
      const windowed = await decodeLatents(plainExport, z, plain, { onRun: (p) => windows.push(p.run) });
      expect(windowed.dims).toEqual(cached.dims);
      expect(windows).toHaveLength(6); // runs of 3, 2, 2, 2, 2, 2 as with a cache
      expect(maxAbsDiff(windowed.data as Float32Array, cached.data as Float32Array)).toBeLessThan(1e-5);
      // Too little context is not exact: the causal convs reach 6 latent frames back.
      const short = await decodeLatents(plainExport, z, { ...plain, contextLatentFrames: 2 });
      expect(maxAbsDiff(short.data as Float32Array, cached.data as Float32Array)).toBeGreaterThan(1e-3);
      // Latents arriving in pieces (one packet per DiT window) decode the same.
      const stream = new LatentRunDecoder(plainExport, plain, 13, [16, 3, 4]);
      const parts: Float32Array[] = [];
      const data = z.data as Float32Array;
      const frame = 16 * 3 * 4;
      for (const [at, n] of [
        [0, 5],
        [5, 4],
        [9, 4],
      ])
        for await (const run of stream.push(data.subarray(at * frame, (at + n) * frame), at))
          parts.push(run.frames.data as Float32Array);
      expect(stream.done).toBe(true);
      const F = cached.dims[2];
      const planes = cached.dims[3] * cached.dims[4];
      const firstChannel = parts.flatMap((p) => Array.from(p.subarray(0, (p.length / 3 / planes) * planes)));
      expect(maxAbsDiff(firstChannel, (cached.data as Float32Array).subarray(0, F * planes))).toBeLessThan(1e-5);
    } finally {
      await plainExport.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
