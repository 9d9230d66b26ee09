/** HiFi-GAN vocoder (NeMo export names): `spec` [B,80,T] → `audio` [B,1,256·T]. */
import { GraphBuilder } from '../../src/onnx/builder.ts';
import { hifiganGenerator, type GeneratorHyper } from './hifigan-generator.ts';

export type HifiganHyper = GeneratorHyper & { melBands: number };

export function buildHifigan(h: HifiganHyper, seed: string): Uint8Array {
  const b = new GraphBuilder('hifigan', seed);
  const spec = b.input('spec', 'float32', ['B', h.melBands, 'T'], 'log-mel spectrogram, 22.05 kHz, hop 256');
  const audio = hifiganGenerator(b, spec, h.melBands, h);
  b.output(audio, 'audio', 'float32', ['B', 1, 'T_audio'], 'waveform in [-1, 1], T_audio = 256·T');
  return b.model({ doc: 'reel reference HiFi-GAN vocoder (seeded random weights)' });
}
