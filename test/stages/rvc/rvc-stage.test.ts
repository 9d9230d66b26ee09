/** content-encoder and rvc stages on the stream: exact frame/sample ranges, chunked vs whole-clip output. */
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeRms, speechLike } from '../../helpers/audio-signals.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { AudioPacket, TensorPacket } from '../../../src/core/types.ts';
import { contentEncoder } from '../../../stages/content-encoder/index.ts';
import { rvc } from '../../../stages/rvc/index.ts';
import {
  memoryAudioSink,
  memoryAudioSource,
  memoryFeaturesSink,
  memoryFeaturesSource,
  receivedPackets,
  registerClip,
} from '../../fixtures/stages/memory-clips.ts';
import { concatFloat, maxAbsDiff, runStages } from '../talking-head/stage-harness.ts';

const RATE = 24000;
const SECONDS = 2.5;

let encoder: string, synthesizer: string;
beforeAll(async () => {
  [encoder, synthesizer] = await Promise.all([ensureReferenceModel('content-encoder'), ensureReferenceModel('rvc')]);
  registerClip('speech', { kind: 'audio', data: speechLike(SECONDS, 140, 220, RATE), sampleRate: RATE });
  registerClip('high', { kind: 'audio', data: speechLike(1, 300, 320, RATE), sampleRate: RATE });
  registerClip('unvoiced', { kind: 'audio', data: new Float32Array(RATE), sampleRate: RATE });
});

async function encode(chunkSeconds: number, padSeconds: number, key: string) {
  const { logs } = await runStages({
    chunkSeconds,
    nodes: {
      src: { def: memoryAudioSource, options: { key: 'speech' } },
      content: { def: contentEncoder, options: { padSeconds }, models: { encoder }, settings: { warmup: 1 } },
      sink: { def: memoryFeaturesSink, binding: key },
    },
    edges: ['src.out -> content.audio', 'content.features -> sink.in'],
  });
  return { logs, packets: receivedPackets(key) as TensorPacket[] };
}

async function convert(opts: { chunkSeconds: number; key: string; features?: string; reference?: string }) {
  const nodes = {
    src: { def: memoryAudioSource, options: { key: 'speech' } },
    ...(opts.features
      ? { feats: { def: memoryFeaturesSource, options: { key: opts.features } } }
      : { feats: { def: contentEncoder, options: { padSeconds: 1 }, models: { encoder } } }),
    ...(opts.reference ? { ref: { def: memoryAudioSource, options: { key: opts.reference } } } : {}),
    vc: { def: rvc, options: { padSeconds: 1 }, models: { synthesizer }, settings: { warmup: 1 } },
    sink: { def: memoryAudioSink, binding: opts.key },
  };
  const edges = [
    'src.out -> vc.audio',
    opts.features ? 'feats.out -> vc.features' : 'feats.features -> vc.features',
    'vc.audio -> sink.in',
  ];
  if (!opts.features) edges.push('src.out -> feats.audio');
  if (opts.reference) edges.push('ref.out -> vc.reference');
  const { logs } = await runStages({ chunkSeconds: opts.chunkSeconds, nodes, edges });
  return { logs, packets: receivedPackets(opts.key) as AudioPacket[] };
}

describe('content-encoder stage', () => {
  it('emits [1, owned·50, 768] features per chunk at 50 frames/s; more context brings them nearer the whole-clip features', async () => {
    const chunked = await encode(0.8, 1, 'feat-chunked');
    expect(chunked.logs.filter((l) => l.includes('stage "content": provider'))).toHaveLength(1);
    const total = Math.round(SECONDS * 50);
    chunked.packets.forEach((p, k) => {
      expect(p.chunk.index).toBe(k);
      expect(p.tensor.dims).toEqual([1, Math.round((p.chunk.end - p.chunk.start) * 50), 768]);
      expect(p.meta?.startFrame).toBe(Math.round(p.chunk.start * 50));
    });
    expect(chunked.packets.reduce((n, p) => n + p.tensor.dims[1], 0)).toBe(total);
    const whole = await encode(10, 1, 'feat-whole');
    expect(whole.packets).toHaveLength(1);
    const b = whole.packets[0].tensor.data as Float32Array;
    registerClip('whole-features', {
      kind: 'series',
      name: 'content-features',
      dtype: 'float32',
      lead: [1, 768],
      data: b,
      frames: total,
      framesPerSecond: 50,
      frameMajor: true,
    });
    const a = concatFloat(chunked.packets.map((p) => p.tensor.data as Float32Array));
    const starved = concatFloat(
      (await encode(0.8, 0.1, 'feat-starved')).packets.map((p) => p.tensor.data as Float32Array),
    );
    // Not exact, by the model: the reference encoder's attention has no positions and random
    // weights, so every frame averages over its whole input. Measured relative RMS: 0.38 with 1 s
    // of context, more with 0.1 s; a window that spans the clip agrees to ~0.05.
    expect(relativeRms(a, b)).toBeLessThan(0.5);
    expect(relativeRms(starved, b)).toBeGreaterThan(relativeRms(a, b));
  });
});

describe('rvc stage', () => {
  it('gives each chunk exactly its owned samples at 40 kHz; with the same features chunked == whole', async () => {
    const chunked = await convert({ chunkSeconds: 0.4, key: 'vc-chunked', features: 'whole-features' });
    expect(chunked.logs.filter((l) => l.includes('stage "vc": provider'))).toHaveLength(1);
    for (const p of chunked.packets) {
      expect(p.sampleRate).toBe(40000);
      expect(p.startSample).toBe(Math.round(p.chunk.start * 40000));
      expect(p.data.length).toBe(Math.round(p.chunk.end * 40000) - p.startSample);
    }
    const a = concatFloat(chunked.packets.map((p) => p.data));
    expect(a.length).toBe(Math.round(SECONDS * 40000));
    const b = concatFloat(
      (await convert({ chunkSeconds: 10, key: 'vc-whole', features: 'whole-features' })).packets.map((p) => p.data),
    );
    // 0.5 s of context ≫ the synthesizer's receptive field (manifest): only F0's own edge effects remain.
    expect(MANIFESTS.rvc.receptiveField.before / 100).toBeLessThan(0.5);
    // Measured 2.5e-6 max (relative RMS 1.5e-7).
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
  });

  it('content-encoder → rvc chunked stays within the measured tolerance of the whole-clip run', async () => {
    const a = concatFloat((await convert({ chunkSeconds: 0.8, key: 'chain-chunked' })).packets.map((p) => p.data));
    const b = concatFloat((await convert({ chunkSeconds: 10, key: 'chain-whole' })).packets.map((p) => p.data));
    expect(a.length).toBe(b.length);
    // Inherits the encoder's window dependence (above): measured relative RMS 0.32.
    expect(relativeRms(a, b)).toBeLessThan(0.5);
  });

  it('passes an empty clip (a TTS that said nothing) through as one empty chunk', async () => {
    registerClip('silence-of-nothing', { kind: 'audio', data: new Float32Array(0), sampleRate: RATE });
    const { logs } = await runStages({
      chunkSeconds: 0.4,
      nodes: {
        src: { def: memoryAudioSource, options: { key: 'silence-of-nothing' } },
        feats: { def: contentEncoder, models: { encoder } },
        vc: { def: rvc, models: { synthesizer } },
        sink: { def: memoryAudioSink, binding: 'vc-empty' },
      },
      edges: ['src.out -> feats.audio', 'src.out -> vc.audio', 'feats.features -> vc.features', 'vc.audio -> sink.in'],
    });
    expect(logs).toHaveLength(2);
    const packets = receivedPackets('vc-empty') as AudioPacket[];
    expect(packets.map((p) => [p.chunk.index, p.chunk.last, p.data.length])).toEqual([[0, true, 0]]);
  });

  it('auto-pitch transposes toward a voiced reference, and refuses an unvoiced one', async () => {
    const plain = concatFloat(
      (await convert({ chunkSeconds: 0.4, key: 'vc-plain', features: 'whole-features' })).packets.map((p) => p.data),
    );
    const lifted = concatFloat(
      (await convert({ chunkSeconds: 0.4, key: 'vc-high', features: 'whole-features', reference: 'high' })).packets.map(
        (p) => p.data,
      ),
    );
    expect(lifted.length).toBe(plain.length);
    expect(maxAbsDiff(lifted, plain)).toBeGreaterThan(1e-2);
    await expect(
      convert({ chunkSeconds: 0.4, key: 'vc-ref', features: 'whole-features', reference: 'unvoiced' }),
    ).rejects.toThrow(/reference voice has no voiced frames/);
  });
});
