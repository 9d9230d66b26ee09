/**
 * CogVideoX-style causal 3-D VAE decoder: `latents` [B,16,f,h,w] + `conv_cache` →
 * `frames` [B,3,F_out,8h,8w] in [−1, 1] + `conv_cache_out`. All temporal convs are causal
 * (kernel 3, no look-ahead) and sit at latent rate; each reads the 2 previous frames of its
 * input from `conv_cache` (zeros for a clip's first chunk) and writes its last 2 to
 * `conv_cache_out`, so chunked decoding equals whole-clip decoding exactly. Time is upsampled
 * ×4 by a pointwise conv + depth-to-time reshape; as in CogVideoX, an odd latent count keeps
 * only the last of the first latent's 4 frames: F_out = 4f − 3·(f mod 2), i.e. 4(f−1)+1 for
 * a clip's first (odd) chunk and 4f for later (even) chunks.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv } from '../../src/onnx/layers.ts';

export interface VaeHyper {
  latentChannels: number;
  /** Width at latent resolution. */
  channels: number;
  /** Widths after each ×2 spatial upsample (three of them: ×8). */
  upChannels: readonly number[];
}

/** Channels of `conv_cache`: the inputs of the three causal convs, concatenated. */
export function vaeCacheChannels(h: VaeHyper): number {
  return h.latentChannels + 2 * h.channels;
}

/**
 * `cache: false` builds the same decoder (same weights) as a plain export without a cache: each
 * causal conv pads with zeros instead, and there is no `conv_cache` in or out — what the VAE stage
 * decodes in windows with left context (tests hold the two decodes equal).
 */
export function buildVae(h: VaeHyper, seed: string, options: { cache?: boolean } = {}): Uint8Array {
  const withCache = options.cache ?? true;
  const b = new GraphBuilder('vae', seed);
  const L = h.latentChannels;
  const C = h.channels;
  const latents = b.input(
    'latents',
    'float32',
    ['B', L, 'f', 'h', 'w'],
    'latents (already divided by the scaling factor)',
  );
  const cache = withCache
    ? b.input(
        'conv_cache',
        'float32',
        ['B', vaeCacheChannels(h), 2, 'h', 'w'],
        'previous 2 frames of each causal conv input; zeros at clip start',
      )
    : undefined;
  // Without a cache input: two frames of zeros before each causal conv's input.
  const zeros = (cin: number) =>
    b.op('ConstantOfShape', [
      b.concat([b.dim(latents, 0), b.constInt([cin, 2]), b.dim(latents, 3), b.dim(latents, 4)], 0),
    ]);

  const newCaches: string[] = [];
  let slot = 0;
  const causal = (name: string, x: string, cin: number, cout: number): string => {
    const prev = cache ? b.slice(cache, [slot], [slot + cin], [1]) : zeros(cin);
    slot += cin;
    const xc = b.concat([prev, x], 2);
    newCaches.push(b.slice(xc, [-2], [2 ** 31 - 1], [2]));
    return conv(b, name, xc, { cin, cout, kernel: [3, 3, 3], pads: [0, 1, 1, 0, 1, 1] });
  };

  let x = causal('conv_in', latents, L, C);
  const r1 = causal('mid.resnet.conv1', b.silu(x), C, C);
  x = b.add(x, causal('mid.resnet.conv2', b.silu(r1), C, C));

  // ×4 in time: channel c·4 + s becomes sub-frame s of each latent frame.
  const fd = b.dim(latents, 2);
  const [Bd, hd, wd] = [b.dim(latents, 0), b.dim(latents, 3), b.dim(latents, 4)];
  const t4 = conv(b, 'time_up', x, { cin: C, cout: 4 * C, kernel: [1, 1, 1] });
  const split = b.reshape(t4, b.concat([Bd, b.constInt([C, 4]), fd, hd, wd], 0));
  x = b.reshape(b.transpose(split, [0, 1, 3, 2, 4, 5]), b.concat([Bd, b.constInt([C, -1]), hd, wd], 0));
  const drop = b.mul(b.op('Mod', [fd, b.constInt([2])]), b.constInt([3]));
  x = b.slice(x, [drop], [2 ** 31 - 1], [2]);

  let cin = C;
  h.upChannels.forEach((c, i) => {
    const up = b.op('Resize', [x, '', b.constFloat([1, 1, 1, 2, 2])], {
      mode: 'nearest',
      coordinate_transformation_mode: 'asymmetric',
      nearest_mode: 'floor',
    });
    x = b.silu(conv(b, `up_blocks.${i}.conv`, up, { cin, cout: c, kernel: [1, 3, 3], pads: [0, 1, 1, 0, 1, 1] }));
    cin = c;
  });
  const frames = b.tanh(conv(b, 'conv_out', x, { cin, cout: 3, kernel: [1, 3, 3], pads: [0, 1, 1, 0, 1, 1] }));
  b.output(
    frames,
    'frames',
    'float32',
    ['B', 3, 'F_out', 'H', 'W'],
    'RGB in [-1, 1]; F_out = 4f − 3·(f mod 2), H = 8h, W = 8w',
  );
  if (withCache)
    b.output(
      b.concat(newCaches, 1),
      'conv_cache_out',
      'float32',
      ['B', vaeCacheChannels(h), 2, 'h', 'w'],
      'conv_cache for the next chunk',
    );
  return b.model({ doc: 'reel reference causal 3-D VAE decoder (seeded random weights)' });
}
