/**
 * CogVideoX-style DiT denoiser: `hidden_states` [B,F,C,H,W], `encoder_hidden_states` [B,L,D],
 * `timestep` [B] → `sample` [B,F,C,H,W] (v-prediction). Patchify 2×2 → linear; text projected
 * to the same width and prepended (joint attention over text ‖ video tokens, as CogVideoX);
 * sinusoidal timestep embedding → MLP → adaptive-norm scale/shift in each block; the video
 * tokens are un-patchified back to latents. No positional embedding in the reference.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { attention, feedForward, linear } from '../../src/onnx/layers.ts';

export interface DitHyper {
  latentChannels: number;
  patch: number;
  textDim: number;
  dim: number;
  heads: number;
  layers: number;
  ffn: number;
}

export function buildDit(h: DitHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('dit', seed);
  const C = h.latentChannels;
  const p = h.patch;
  const hs = b.input(
    'hidden_states',
    'float32',
    ['B', 'F', C, 'H', 'W'],
    'noisy latents, F = (frames − 1)/4 + 1, H, W = pixels/8',
  );
  const ehs = b.input('encoder_hidden_states', 'float32', ['B', 'L', h.textDim], 'text encoder states');
  const timestep = b.input('timestep', 'int64', ['B'], 'diffusion timestep 0..999');

  const [Bd, Fd, Hd, Wd] = [b.dim(hs, 0), b.dim(hs, 1), b.dim(hs, 3), b.dim(hs, 4)];
  const Hp = b.div(Hd, b.constInt([p]));
  const Wp = b.div(Wd, b.constInt([p]));
  const pc = b.constInt([p]);
  const patches = b.reshape(
    b.transpose(b.reshape(hs, b.concat([Bd, Fd, b.constInt([C]), Hp, pc, Wp, pc], 0)), [0, 1, 3, 5, 2, 4, 6]),
    [0, -1, C * p * p],
  );
  const video = linear(b, 'patch_embed.proj', patches, C * p * p, h.dim);
  const textTokens = linear(b, 'patch_embed.text_proj', ehs, h.textDim, h.dim);

  const half = h.dim / 2;
  const freqs = Float32Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  const args = b.mul(b.unsqueeze(b.cast(timestep, 'float32'), [1]), b.constFloat(freqs, [1, half]));
  const tProj = b.concat([b.op('Cos', [args]), b.op('Sin', [args])], 1);
  const temb = b.scope('time_embedding', () =>
    linear(b, 'linear_2', b.silu(linear(b, 'linear_1', tProj, h.dim, h.dim)), h.dim, h.dim),
  );
  const tAct = b.silu(temb);

  const ones = b.constFloat(new Float32Array(h.dim).fill(1));
  const zeros = b.constFloat(new Float32Array(h.dim));
  const modulate = (x: string, shift: string, scale: string): string =>
    b.add(
      b.mul(b.op('LayerNormalization', [x, ones, zeros], { axis: -1 }), b.add(scale, b.constFloat([1], []))),
      shift,
    );
  const chunks = (name: string, n: number): string[] => {
    const m = b.unsqueeze(linear(b, name, tAct, h.dim, n * h.dim, { std: 0.1 / Math.sqrt(h.dim) }), [1]);
    return Array.from({ length: n }, (_, i) => b.slice(m, [i * h.dim], [(i + 1) * h.dim], [2]));
  };

  let x = b.concat([textTokens, video], 1);
  for (let i = 0; i < h.layers; i++) {
    x = b.scope(`transformer_blocks.${i}`, () => {
      const [sh1, sc1, g1, sh2, sc2, g2] = chunks('norm.linear', 6);
      const y = b.add(x, b.mul(g1, attention(b, 'attn1', modulate(x, sh1, sc1), { dim: h.dim, heads: h.heads })));
      return b.add(y, b.mul(g2, feedForward(b, 'ff', modulate(y, sh2, sc2), h.dim, h.ffn)));
    });
  }
  const videoOut = b.slice(x, [b.dim(ehs, 1)], [2 ** 31 - 1], [1]);
  const [shF, scF] = chunks('norm_out.linear', 2);
  const out = linear(b, 'proj_out', modulate(videoOut, shF, scF), h.dim, C * p * p);
  const unpatched = b.transpose(
    b.reshape(out, b.concat([Bd, Fd, Hp, Wp, b.constInt([C]), pc, pc], 0)),
    [0, 1, 4, 2, 5, 3, 6],
  );
  b.output(
    b.reshape(unpatched, b.op('Shape', [hs])),
    'sample',
    'float32',
    ['B', 'F', C, 'H', 'W'],
    'v-prediction, same shape as hidden_states',
  );
  return b.model({ doc: 'reel reference CogVideoX-style DiT (seeded random weights)' });
}
