/**
 * content-encoder and rvc instances driven directly with the items the runtime builds (neighbours
 * before 1 / after 1, the whole reference): exact frame/sample ranges, chunked vs whole-clip
 * output, and independence from the order items are processed in (both kinds are stateless).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { relativeRms, speechLike } from '../../helpers/audio-signals.ts';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import type { StageItem } from '../../../src/core/item.ts';
import type { PortPacket, TransformDefinition } from '../../../src/core/stage.ts';
import type { AudioPacket, Packet, TensorPacket } from '../../../src/core/types.ts';
import { contentEncoder } from '../../../stages/content-encoder/index.ts';
import { ownedContentFrames } from '../../../stages/content-encoder/stage.ts';
import { rvc } from '../../../stages/rvc/index.ts';
import { clipItems, createTransform, processAll, testContext } from '../../helpers/stage-harness.ts';
import { audioChunks, chunkGrid, concatFloat, maxAbsDiff, mergeChunks, seriesChunks } from './clip-chunks.ts';

const RATE = 24000;
const SECONDS = 2.5;

const items = (chunks: Parameters<typeof clipItems>[0], whole: Record<string, Packet> = {}) =>
  clipItems(chunks, { before: 1, after: 1 }, whole);

async function run(
  def: TransformDefinition,
  options: Record<string, unknown>,
  list: StageItem[],
  order: 'forward' | 'reverse' = 'forward',
): Promise<PortPacket[]> {
  const stage = await createTransform(def, options);
  try {
    if (order === 'forward') return await processAll(stage, list);
    const out = await Promise.all([...list].reverse().map((item) => processAll(stage, [item])));
    return out.reverse().flat();
  } finally {
    await stage.dispose();
  }
}

const speech = speechLike(SECONDS, 140, 220, RATE);
const features = (out: PortPacket[]) => out.map((p) => p.packet as TensorPacket);
const audioOf = (out: PortPacket[]) => concatFloat(out.map((p) => (p.packet as AudioPacket).data));
const encode = async (seconds: number, padSeconds: number) =>
  features(await run(contentEncoder, { padSeconds }, items(audioChunks(speech, RATE, seconds))));
let wholeFeatures: Float32Array;

beforeAll(async () => {
  wholeFeatures = features(await run(contentEncoder, {}, items(audioChunks(speech, RATE, 10))))[0].tensor
    .data as Float32Array;
});

/** rvc items over `seconds` chunks, with the whole-clip features cut on the same grid. */
function rvcItems(seconds: number, whole: Record<string, Packet> = {}, audio = speech) {
  const grid = chunkGrid(audio.length / RATE, seconds);
  const feats = seriesChunks(
    {
      name: 'content-features',
      data: wholeFeatures,
      frames: wholeFeatures.length / 768,
      framesPerSecond: 50,
      width: 768,
      frameMajor: true,
    },
    grid,
    'features',
    (c) => ownedContentFrames(c.start, c.end),
  );
  return items(mergeChunks(audioChunks(audio, RATE, seconds), feats), whole);
}

describe('content-encoder items', () => {
  it('emits [1, owned·50, 768] per chunk; more context brings them nearer the whole-clip features', async () => {
    const chunked = await encode(0.8, 1);
    chunked.forEach((p, k) => {
      expect(p.chunk.index).toBe(k);
      expect(p.tensor.dims).toEqual([1, Math.round((p.chunk.end - p.chunk.start) * 50), 768]);
      expect(p.meta?.startFrame).toBe(Math.round(p.chunk.start * 50));
    });
    expect(chunked.reduce((n, p) => n + p.tensor.dims[1], 0)).toBe(Math.round(SECONDS * 50));
    const a = concatFloat(chunked.map((p) => p.tensor.data as Float32Array));
    const starved = concatFloat((await encode(0.8, 0.1)).map((p) => p.tensor.data as Float32Array));
    // Not exact, by the model (attention over the whole input): measured relative RMS 0.38 with 1 s of context.
    expect(relativeRms(a, wholeFeatures)).toBeLessThan(0.5);
    expect(relativeRms(starved, wholeFeatures)).toBeGreaterThan(relativeRms(a, wholeFeatures));
  });

  it('gives the same features whatever order the items run in', async () => {
    const list = items(audioChunks(speech, RATE, 0.8));
    const forward = await run(contentEncoder, {}, list);
    const reverse = await run(contentEncoder, {}, list, 'reverse');
    expect(reverse.map((p) => (p.packet as TensorPacket).tensor.data)).toEqual(
      forward.map((p) => (p.packet as TensorPacket).tensor.data),
    );
  });
});

describe('rvc items', () => {
  it('gives each chunk exactly its owned samples at 40 kHz; with the same features chunked == whole', async () => {
    const chunked = await run(rvc, {}, rvcItems(0.4));
    for (const { packet } of chunked) {
      const p = packet as AudioPacket;
      expect(p.sampleRate).toBe(40000);
      expect(p.startSample).toBe(Math.round(p.chunk.start * 40000));
      expect(p.data.length).toBe(Math.round(p.chunk.end * 40000) - p.startSample);
    }
    const a = audioOf(chunked);
    expect(a.length).toBe(Math.round(SECONDS * 40000));
    const b = audioOf(await run(rvc, {}, rvcItems(10)));
    // 0.4 s of context ≫ the synthesizer's receptive field (manifest): only F0's own edge effects remain.
    expect(MANIFESTS.rvc.receptiveField.before / 100).toBeLessThan(0.4);
    // Measured 2.5e-6 max (relative RMS 1.5e-7).
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
  });

  it('content-encoder → rvc chunked stays within the measured tolerance of the whole-clip run', async () => {
    const chain = async (seconds: number) => {
      const feats = await run(contentEncoder, {}, items(audioChunks(speech, RATE, seconds)));
      const chunks = audioChunks(speech, RATE, seconds).map((c, k) => ({
        chunk: c.chunk,
        ports: { ...c.ports, features: feats[k].packet },
      }));
      return audioOf(await run(rvc, {}, items(chunks)));
    };
    const a = await chain(0.8);
    const b = await chain(10);
    expect(a.length).toBe(b.length);
    // Inherits the encoder's window dependence (above): measured relative RMS 0.32.
    expect(relativeRms(a, b)).toBeLessThan(0.5);
  });

  it('passes an empty clip (a TTS that said nothing) through as one empty chunk', async () => {
    const empty = audioChunks(new Float32Array(0), RATE, 0.4);
    const feats = await run(contentEncoder, {}, items(empty));
    expect((feats[0].packet as TensorPacket).tensor.dims).toEqual([1, 0, 768]);
    const out = await run(
      rvc,
      {},
      items([{ chunk: empty[0].chunk, ports: { ...empty[0].ports, features: feats[0].packet } }]),
    );
    expect(out.map(({ packet: p }) => [p.chunk.index, p.chunk.last, (p as AudioPacket).data.length])).toEqual([
      [0, true, 0],
    ]);
  });

  it('auto-pitch transposes toward a voiced reference per item, whatever the order, and refuses an unvoiced one', async () => {
    const reference = (data: Float32Array): Record<string, Packet> => ({
      reference: {
        kind: 'audio',
        chunk: { clipId: 'clip', index: 0, start: 0, end: data.length / RATE, last: true },
        sampleRate: RATE,
        channels: 1,
        startSample: 0,
        data,
      },
    });
    const plain = audioOf(await run(rvc, {}, rvcItems(0.4)));
    const high = reference(speechLike(1, 300, 320, RATE));
    const lifted = audioOf(await run(rvc, {}, rvcItems(0.4, high)));
    expect(lifted.length).toBe(plain.length);
    expect(maxAbsDiff(lifted, plain)).toBeGreaterThan(1e-2);
    // Stateless: each item decides its shift from what it holds, so any order gives the same audio.
    expect(audioOf(await run(rvc, {}, rvcItems(0.4, high), 'reverse'))).toEqual(lifted);
    // autoPitch off ignores the reference.
    expect(audioOf(await run(rvc, { autoPitch: false }, rvcItems(0.4, high)))).toEqual(plain);
    await expect(run(rvc, {}, rvcItems(0.4, reference(new Float32Array(RATE))))).rejects.toThrow(
      /reference voice has no voiced frames/,
    );
  });

  it('opens its model once per instance and logs the provider', async () => {
    const ctx = testContext(rvc);
    const stage = await rvc.create!(rvc.options.parse({}), ctx);
    await stage.dispose();
    expect(ctx.logs.filter((l) => l.includes('provider'))).toHaveLength(1);
  });
});
