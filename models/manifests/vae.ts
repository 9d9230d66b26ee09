import type { ModelManifest } from '../manifest.ts';
import { vaeCacheChannels, type VaeHyper } from '../families/vae.ts';

const tiny: VaeHyper = { latentChannels: 16, channels: 16, upChannels: [16, 8, 8] };
const medium: VaeHyper = { latentChannels: 16, channels: 64, upChannels: [64, 32, 16] };

export const vae: ModelManifest<VaeHyper> = {
  family: 'vae',
  summary: 'Causal 3-D VAE decoder: latents → RGB frames, decodable in temporal chunks through a conv cache',
  mirrors: 'huggingface/diffusers AutoencoderKLCogVideoX decoder (causal Conv3d with a 2-frame conv cache)',
  inputs: [
    {
      name: 'latents',
      dtype: 'float32',
      shape: ['B', 16, 'f', 'h', 'w'],
      doc: 'latents / 1.15258426, permuted to channels-first',
    },
    {
      name: 'conv_cache',
      dtype: 'float32',
      shape: ['B', 'C_cache', 2, 'h', 'w'],
      doc: `zeros for a clip's first chunk; C_cache = ${vaeCacheChannels(tiny)} (tiny), ${vaeCacheChannels(medium)} (medium), read it from the file. Optional: a decoder exported without a cache is decoded in windows with left context (the vae stage's contextLatentFrames)`,
      optional: true,
    },
  ],
  outputs: [
    {
      name: 'frames',
      dtype: 'float32',
      shape: ['B', 3, 'F_out', 'H', 'W'],
      doc: 'F_out = 4(f−1)+1 for odd f (first chunk), 4f for even f; H = 8h, W = 8w; [-1, 1]',
    },
    {
      name: 'conv_cache_out',
      dtype: 'float32',
      shape: ['B', 'C_cache', 2, 'h', 'w'],
      doc: 'conv_cache for the next chunk (with conv_cache)',
      optional: true,
    },
  ],
  framesPerSecond: 8 / 4,
  receptiveField: {
    before: 6,
    after: 0,
    unit: 'latent frames',
    exact: true,
    doc: 'causal in time: 3 causal k3 convs reach 6 latent frames back — carried exactly by conv_cache, so chunks need no temporal overlap when it is passed; spatially ±4 latent pixels (tiles need ≥ 4 latents overlap)',
  },
  granularity: { value: 1, unit: 'latent frame', doc: '4 video frames (the first latent of a clip: 1), 8×8 pixels' },
  scales: { tiny, medium },
  referenceNotes:
    'all temporal convs at latent rate (CogVideoX also has causal convs after temporal upsampling); zero rather than replicate padding at clip start',
};
