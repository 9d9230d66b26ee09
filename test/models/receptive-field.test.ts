/**
 * The declared receptive field is right: a window holding the declared context reproduces the
 * whole-input output over its owned range to float tolerance, and (for the conv vocoders)
 * two frames less context does not — so the comparison would catch an under-declared field.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildReferenceModel } from '../../models/generate.ts';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';
import { vaeCacheChannels } from '../../models/families/vae.ts';
import { f32, feedsFor, sessionOptions, type Feeds } from './feeds.ts';

const TOL = 1e-4;

async function open(family: FamilyId): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(buildReferenceModel(family, 'tiny'), sessionOptions());
}

/** Cuts [a, b) out of every input's time axis (last axis, or axis 1 for [1,T,C] tensors). */
function window(feeds: Feeds, a: number, b: number, timeAxis: Record<string, number>): Feeds {
  const out: Feeds = {};
  for (const [name, t] of Object.entries(feeds)) {
    const axis = timeAxis[name];
    if (axis === undefined) {
      out[name] = t;
      continue;
    }
    const dims = [...t.dims];
    const outer = dims.slice(0, axis).reduce((x, y) => x * y, 1);
    const inner = dims.slice(axis + 1).reduce((x, y) => x * y, 1);
    const T = dims[axis];
    const src = t.data as Float32Array | BigInt64Array;
    const dst = new (src.constructor as Float32ArrayConstructor)((b - a) * outer * inner) as unknown as
      | Float32Array
      | BigInt64Array;
    for (let o = 0; o < outer; o++)
      (dst as Float32Array).set(
        (src as Float32Array).subarray((o * T + a) * inner, (o * T + b) * inner),
        o * (b - a) * inner,
      );
    dims[axis] = b - a;
    out[name] = new ort.Tensor(t.type as 'float32', dst as Float32Array, dims);
  }
  return out;
}

function maxDiff(a: Float32Array, aStart: number, b: Float32Array, bStart: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(a[aStart + i] - b[bStart + i]));
  return m;
}

async function vocoderDiffs(
  family: 'hifigan' | 'rvc',
  timeAxis: Record<string, number>,
  fix?: (f: Feeds, n: number) => void,
) {
  const { before, after } = MANIFESTS[family].receptiveField;
  const hop = MANIFESTS[family].hop!;
  const session = await open(family);
  const T = 60;
  const [a, b] = [24, 34];
  const whole = (await session.run(feedsFor(family, T).feeds)).audio.data as Float32Array;
  const diff = async (cb: number, ca: number): Promise<number> => {
    const feeds = window(feedsFor(family, T).feeds, a - cb, b + ca, timeAxis);
    fix?.(feeds, b + ca - (a - cb));
    const part = (await session.run(feeds)).audio.data as Float32Array;
    return maxDiff(part, cb * hop, whole, a * hop, (b - a) * hop);
  };
  // The outermost fraction of a frame contributes little with random weights, so "less" cuts
  // two frames: enough to show the comparison is sensitive to missing context.
  const result = {
    exact: await diff(before, after),
    lessBefore: await diff(before - 2, after),
    lessAfter: await diff(before, after - 2),
  };
  await session.release();
  return result;
}

describe('declared receptive fields', () => {
  it('hifigan: declared mel-frame context reproduces the interior; less context does not', async () => {
    const d = await vocoderDiffs('hifigan', { spec: 2 });
    expect(d.exact).toBeLessThan(TOL);
    expect(d.lessBefore).toBeGreaterThan(TOL);
    expect(d.lessAfter).toBeGreaterThan(TOL);
  });

  it('rvc: declared frame context reproduces the interior; less context does not', async () => {
    const axes = { phone: 1, pitch: 1, pitchf: 1, rnd: 2 };
    const d = await vocoderDiffs('rvc', axes, (f, n) => {
      f.phone_lengths = new ort.Tensor('int64', BigInt64Array.from([BigInt(n)]), [1]);
    });
    expect(d.exact).toBeLessThan(TOL);
    expect(d.lessBefore).toBeGreaterThan(TOL);
    expect(d.lessAfter).toBeGreaterThan(TOL);
  });

  it('vallex-codec: declared code-frame context reproduces the interior', async () => {
    const { before, after } = MANIFESTS['vallex-codec'].receptiveField;
    const session = await open('vallex-codec');
    const T = 40;
    const whole = (await session.run(feedsFor('vallex-codec', T).feeds)).audio.data as Float32Array;
    const [a, b] = [15, 25];
    const part = (await session.run(window(feedsFor('vallex-codec', T).feeds, a - before, b + after, { codes: 2 })))
      .audio.data as Float32Array;
    expect(maxDiff(part, before * 320, whole, a * 320, (b - a) * 320)).toBeLessThan(TOL);
    await session.release();
  });

  it('vae: decoding in chunks through conv_cache equals whole-clip decoding', async () => {
    const session = await open('vae');
    const cache = vaeCacheChannels(MANIFESTS.vae.scales.tiny as never);
    const f = 7;
    const { feeds } = feedsFor('vae', f, { cache });
    const whole = (await session.run(feeds)).frames;
    expect(whole.dims[2]).toBe(4 * (f - 1) + 1);
    const pieces: Float32Array[] = [];
    let conv = feeds.conv_cache;
    // A first odd chunk (3 latents → 9 frames), then even chunks (2 latents → 8 frames).
    for (const [s, e] of [
      [0, 3],
      [3, 5],
      [5, 7],
    ]) {
      const out = await session.run({ latents: window(feeds, s, e, { latents: 2 }).latents, conv_cache: conv });
      expect(out.frames.dims[2]).toBe(s === 0 ? 4 * (e - s - 1) + 1 : 4 * (e - s));
      pieces.push(out.frames.data as Float32Array);
      conv = out.conv_cache_out;
    }
    // Frames are [1,3,F,H,W]: compare per channel plane.
    const plane = 24 * 32;
    const F = whole.dims[2];
    let offset = 0;
    for (const p of pieces) {
      const Fp = p.length / (3 * plane);
      for (let c = 0; c < 3; c++)
        expect(
          maxDiff(p, c * Fp * plane, whole.data as Float32Array, (c * F + offset) * plane, Fp * plane),
        ).toBeLessThan(TOL);
      offset += Fp;
    }
    expect(offset).toBe(F);
    await session.release();
  });

  it('vae: a window with the declared 6 latent frames of context (zero cache) reproduces the later frames', async () => {
    const session = await open('vae');
    const cache = vaeCacheChannels(MANIFESTS.vae.scales.tiny as never);
    const { before } = MANIFESTS.vae.receptiveField;
    const f = 11;
    const { feeds } = feedsFor('vae', f, { cache });
    const whole = (await session.run(feeds)).frames;
    const start = f - 2 - before; // even window length: every latent gives 4 frames
    const out = (
      await session.run({ latents: window(feeds, start, f, { latents: 2 }).latents, conv_cache: feeds.conv_cache })
    ).frames;
    const plane = 24 * 32;
    const owned = 2 * 4;
    const Fw = out.dims[2];
    const F = whole.dims[2];
    for (let c = 0; c < 3; c++) {
      expect(
        maxDiff(
          out.data as Float32Array,
          (c * Fw + Fw - owned) * plane,
          whole.data as Float32Array,
          (c * F + F - owned) * plane,
          owned * plane,
        ),
      ).toBeLessThan(TOL);
    }
    await session.release();
  });

  it('wav2lip: frames are independent — a batch equals its frames run one by one', async () => {
    const session = await open('wav2lip');
    const n = 3;
    const { feeds } = feedsFor('wav2lip', n);
    const batch = (await session.run(feeds)).output.data as Float32Array;
    const per = 3 * 96 * 96;
    for (let i = 0; i < n; i++) {
      const one = await session.run({
        mel_spectrogram: f32(
          (feeds.mel_spectrogram.data as Float32Array).slice(i * 1280, (i + 1) * 1280),
          [1, 1, 80, 16],
        ),
        video_frames: f32(
          (feeds.video_frames.data as Float32Array).slice(i * 6 * 9216, (i + 1) * 6 * 9216),
          [1, 6, 96, 96],
        ),
      });
      expect(maxDiff(one.output.data as Float32Array, 0, batch, i * per, per)).toBeLessThan(TOL);
    }
    await session.release();
  });
});
