import type { ModelManifest } from '../manifest.ts';
import type { DitHyper } from '../families/dit.ts';

const base = { latentChannels: 16, patch: 2 };

export const dit: ModelManifest<DitHyper> = {
  family: 'dit',
  summary: 'CogVideoX-style DiT denoiser: noisy latents + text states + timestep → v-prediction',
  mirrors: 'huggingface/diffusers CogVideoXTransformer3DModel.forward (hidden_states, encoder_hidden_states, timestep)',
  inputs: [
    {
      name: 'hidden_states',
      dtype: 'float32',
      shape: ['B', 'F', 16, 'H', 'W'],
      doc: 'F = (frames − 1)/4 + 1; H, W = pixels/8, even',
    },
    { name: 'encoder_hidden_states', dtype: 'float32', shape: ['B', 'L', 'D'], doc: 'text-encoder output (same D)' },
    { name: 'timestep', dtype: 'int64', shape: ['B'], doc: '0..999' },
  ],
  outputs: [{ name: 'sample', dtype: 'float32', shape: ['B', 'F', 16, 'H', 'W'], doc: 'v-prediction' }],
  framesPerSecond: 8 / 4,
  receptiveField: {
    before: 0,
    after: 0,
    unit: 'latent frames',
    exact: false,
    doc: 'full attention over all latent frames and text: denoise a clip (or a latent window) whole',
  },
  granularity: { value: 2, unit: 'latent pixels', doc: 'H and W must be multiples of the patch size 2' },
  scales: {
    tiny: { ...base, textDim: 32, dim: 32, heads: 2, layers: 1, ffn: 64 },
    medium: { ...base, textDim: 256, dim: 256, heads: 4, layers: 4, ffn: 1024 },
  },
  referenceNotes: 'no 3-D sincos positional embedding; textDim equals the text-encoder dim of the same scale',
};
