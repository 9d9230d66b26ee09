/**
 * Inputs for each reference family at a chosen length, and the output shapes the manifests
 * promise for them. Values are smooth deterministic signals, not noise, so runs are repeatable.
 */
import * as ort from 'onnxruntime-node';
import { MANIFESTS, type FamilyId } from '../../models/manifests/index.ts';

export type Feeds = Record<string, ort.Tensor>;

export const wave = (n: number, k = 0.37): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(i * k) * 0.8);
export const f32 = (data: Float32Array, dims: number[]): ort.Tensor => new ort.Tensor('float32', data, dims);
export const i64 = (data: number[], dims: number[]): ort.Tensor =>
  new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);

export function sessionOptions(): ort.InferenceSession.SessionOptions {
  return { logSeverityLevel: 3, intraOpNumThreads: 1, interOpNumThreads: 1 };
}

/** Feeds for `family` at length `n` (frames, samples, tokens — the family's own time axis). */
export function feedsFor(
  family: FamilyId,
  n: number,
  dims: Record<string, number> = {},
): { feeds: Feeds; expect: Record<string, number[]> } {
  switch (family) {
    case 'content-encoder':
      return {
        feeds: { source: f32(wave(n, 0.05), [1, 1, n]) },
        expect: { features: [1, Math.floor((n - 400) / 320) + 1, 768] },
      };
    case 'rvc': {
      const hop = MANIFESTS.rvc.hop!;
      return {
        feeds: {
          phone: f32(wave(n * 768, 0.013), [1, n, 768]),
          phone_lengths: i64([n], [1]),
          pitch: i64(
            Array.from({ length: n }, (_, i) => 1 + ((i * 7) % 255)),
            [1, n],
          ),
          pitchf: f32(
            Float32Array.from({ length: n }, (_, i) => (i % 5 === 4 ? 0 : 120 + 40 * Math.sin(i / 7))),
            [1, n],
          ),
          ds: i64([1], [1]),
          rnd: f32(
            wave(192 * n, 0.71).map((v) => v * 0.66666),
            [1, 192, n],
          ),
        },
        expect: { audio: [1, 1, hop * n] },
      };
    }
    case 'vallex-ar': {
      const { layers, heads, dim } = { layers: dims.layers, heads: dims.heads, dim: dims.dim };
      const hd = dim / heads;
      const mask = new Uint8Array(n * n).map((_, i) => (i % n > Math.floor(i / n) ? 1 : 0));
      return {
        feeds: {
          xy_pos: f32(wave(n * dim, 0.19), [1, n, dim]),
          mask: new ort.Tensor('bool', mask, [n, n]),
          past_kv: f32(new Float32Array(0), [layers, 2, 1, heads, 0, hd]),
          offset: i64([0], []),
        },
        expect: { logits: [1, 1025], kv_cache: [layers, 2, 1, heads, n, hd] },
      };
    }
    case 'vallex-nar':
      return {
        feeds: { xy_pos: f32(wave(n * dims.dim, 0.23), [1, n, dims.dim]), offset: i64([3], []) },
        expect: { logits: [1, n, 1024] },
      };
    case 'vallex-codec':
      return {
        feeds: {
          codes: i64(
            Array.from({ length: 8 * n }, (_, i) => (i * 131) % 1024),
            [8, 1, n],
          ),
        },
        expect: { audio: [1, 1, 320 * n] },
      };
    case 'fastpitch': {
      const text = Array.from({ length: 2 * n }, (_, i) => (i % n >= n - 2 && i >= n ? 0 : 1 + ((i * 11) % 147)));
      return {
        feeds: {
          text: i64(text, [2, n]),
          pitch: f32(new Float32Array(2 * n), [2, n]),
          pace: f32(new Float32Array(2 * n).fill(1), [2, n]),
        },
        expect: { num_frames: [2], durs_predicted: [2, n], log_durs_predicted: [2, n], pitch_predicted: [2, n] },
      };
    }
    case 'hifigan':
      return { feeds: { spec: f32(wave(80 * n), [1, 80, n]) }, expect: { audio: [1, 1, 256 * n] } };
    case 'wav2lip':
      return {
        feeds: {
          mel_spectrogram: f32(wave(n * 80 * 16), [n, 1, 80, 16]),
          video_frames: f32(
            wave(n * 6 * 96 * 96, 0.011).map((v) => v * 0.5 + 0.5),
            [n, 6, 96, 96],
          ),
        },
        expect: { output: [n, 3, 96, 96] },
      };
    case 'face-detect':
      return {
        feeds: { input: f32(wave(3 * 240 * 320, 0.003), [1, 3, 240, 320]) },
        expect: { scores: [1, 4420, 2], boxes: [1, 4420, 4] },
      };
    case 'text-encoder':
      return {
        feeds: {
          input_ids: i64(
            Array.from({ length: 2 * n }, (_, i) => (i * 977) % 32128),
            [2, n],
          ),
        },
        expect: { last_hidden_state: [2, n, dims.dim] },
      };
    case 'dit':
      return {
        feeds: {
          hidden_states: f32(wave(n * 16 * 4 * 6), [1, n, 16, 4, 6]),
          encoder_hidden_states: f32(wave(5 * dims.dim, 0.3), [1, 5, dims.dim]),
          timestep: i64([500], [1]),
        },
        expect: { sample: [1, n, 16, 4, 6] },
      };
    case 'vae':
      return {
        feeds: {
          latents: f32(wave(16 * n * 3 * 4, 0.29), [1, 16, n, 3, 4]),
          conv_cache: f32(new Float32Array(dims.cache * 2 * 12), [1, dims.cache, 2, 3, 4]),
        },
        expect: { frames: [1, 3, 4 * n - 3 * (n % 2), 24, 32], conv_cache_out: [1, dims.cache, 2, 3, 4] },
      };
    case 'silero-vad':
      return {
        feeds: {
          input: f32(wave(n, 0.05), [1, n]),
          state: f32(new Float32Array(2 * 128), [2, 1, 128]),
          sr: i64([16000], []),
        },
        expect: { output: [1, 1], stateN: [2, 1, 128] },
      };
  }
}
