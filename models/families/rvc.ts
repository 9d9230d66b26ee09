/**
 * RVC synthesizer, the contract of `SynthesizerTrnMsNSFsidM` as exported by the WebUI
 * (`phone, phone_lengths, pitch, pitchf, ds, rnd → audio`). Text encoder → prior sample
 * z = (m + e^logs·rnd)·mask → one residual flow step → NSF-HiFiGAN decoder whose harmonic
 * source is injected after each upsample stage through strided convs, as in the real model.
 */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { conv, embedding, linear } from '../../src/onnx/layers.ts';
import type { ConvLayer1d } from '../receptive-field.ts';
import { generatorLayers, hifiganGenerator, type GeneratorHyper } from './hifigan-generator.ts';

export interface RvcHyper {
  sampleRate: number;
  /** Content feature width: 768 for v2 models, 256 for v1. */
  phoneDim: number;
  hidden: number;
  encoderLayers: number;
  encoderKernel: number;
  /** Prior channels; `rnd` is [1, 192, T] in every RVC export. */
  interChannels: number;
  speakers: number;
  speakerDim: number;
  flowKernel: number;
  generator: GeneratorHyper;
}

export function rvcHop(h: RvcHyper): number {
  return h.generator.upsampleRates.reduce((a, r) => a * r, 1);
}

/** Layers from input frames to output samples along the content path (the longest one). */
export function rvcLayers(h: RvcHyper): ConvLayer1d[] {
  const enc: ConvLayer1d[] = Array.from({ length: h.encoderLayers }, () => ({ kind: 'conv', kernel: h.encoderKernel }));
  return [...enc, { kind: 'conv', kernel: h.flowKernel }, ...generatorLayers(h.generator)];
}

export function buildRvc(h: RvcHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('rvc', seed);
  const hop = rvcHop(h);
  const phone = b.input('phone', 'float32', [1, 'T', h.phoneDim], 'content features at 100 frames/s');
  const phoneLengths = b.input('phone_lengths', 'int64', [1], 'valid frames (T)');
  const pitch = b.input('pitch', 'int64', [1, 'T'], 'coarse F0 bin 1..255');
  const pitchf = b.input('pitchf', 'float32', [1, 'T'], 'F0 in Hz, 0 = unvoiced');
  const ds = b.input('ds', 'int64', [1], 'speaker id');
  const rnd = b.input('rnd', 'float32', [1, h.interChannels, 'T'], 'prior noise');

  // mask [1,1,T]: frames before phone_lengths.
  const T = b.squeeze(b.dim(phone, 1), [0]);
  const steps = b.op('Range', [b.constInt([0], []), T, b.constInt([1], [])]);
  const valid = b.op('Less', [b.unsqueeze(steps, [0]), b.unsqueeze(phoneLengths, [1])]);
  const mask = b.unsqueeze(b.cast(valid, 'float32'), [1]);

  const z = b.scope('enc_p', () => {
    let x = b.add(linear(b, 'emb_phone', phone, h.phoneDim, h.hidden), embedding(b, 'emb_pitch', pitch, 256, h.hidden));
    x = b.mul(b.transpose(b.leakyRelu(x, 0.1), [0, 2, 1]), mask);
    for (let i = 0; i < h.encoderLayers; i++) {
      x = b.add(
        x,
        b.mul(
          conv(b, `convs.${i}`, b.leakyRelu(x, 0.1), { cin: h.hidden, cout: h.hidden, kernel: [h.encoderKernel] }),
          mask,
        ),
      );
    }
    const stats = b.mul(conv(b, 'proj', x, { cin: h.hidden, cout: 2 * h.interChannels, kernel: [1] }), mask);
    const m = b.slice(stats, [0], [h.interChannels], [1]);
    // Bounded log-scale keeps exp() finite for any random weights.
    const logs = b.mul(b.tanh(b.slice(stats, [h.interChannels], [2 * h.interChannels], [1])), b.constFloat([0.5], []));
    return b.mul(b.add(m, b.mul(b.op('Exp', [logs]), rnd)), mask);
  });

  const flowed = b.scope('flow', () => {
    const t = conv(b, 'pre', z, { cin: h.interChannels, cout: h.hidden, kernel: [h.flowKernel] });
    const d = conv(b, 'post', b.leakyRelu(t, 0.1), { cin: h.hidden, cout: h.interChannels, kernel: [1] });
    return b.mul(b.add(z, d), mask);
  });

  const cond = b.scope('emb_g', () => {
    const g = embedding(b, 'table', ds, h.speakers, h.speakerDim);
    return b.unsqueeze(linear(b, 'cond', g, h.speakerDim, h.generator.channels), [2]);
  });

  // Harmonic source: sin(2π·f0·j/sr) within each frame. The real SineGen integrates phase
  // across frames (and adds a random initial phase); restarting it per frame keeps the model a
  // finite-context function of its inputs, so chunked output can be checked exactly.
  const ramp = Array.from({ length: hop }, (_, j) => (2 * Math.PI * j) / h.sampleRate);
  const phase = b.mul(b.unsqueeze(pitchf, [2]), b.constFloat(ramp, [1, 1, hop]));
  const har = b.reshape(b.mul(b.op('Sin', [phase]), b.constFloat([0.1], [])), [1, 1, -1]);
  const rates = h.generator.upsampleRates;
  const inject = (stage: number, x: string, ch: number): string => {
    const s = rates.slice(stage + 1).reduce((a, r) => a * r, 1);
    const spec = s > 1 ? { kernel: [2 * s], stride: [s], pads: [s / 2, s / 2] } : { kernel: [1] };
    return b.add(x, conv(b, `noise_convs.${stage}`, har, { cin: 1, cout: ch, ...spec }));
  };
  const audio = hifiganGenerator(b, flowed, h.interChannels, h.generator, { cond, inject });
  b.output(audio, 'audio', 'float32', [1, 1, 'T_audio'], `waveform at ${h.sampleRate} Hz, T_audio = ${hop}·T`);
  return b.model({ doc: 'reel reference RVC synthesizer (seeded random weights)' });
}
