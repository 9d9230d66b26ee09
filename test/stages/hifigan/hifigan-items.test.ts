/**
 * hifigan instances driven directly with the items the runtime builds (neighbours before 1 /
 * after 1): exact audio ranges on a mel grid off the hop, chunked == whole-clip vocoding, and the
 * same audio whatever order the items run in (the kind is stateless).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFESTS } from '../../../models/manifests/index.ts';
import type { StageItem } from '../../../src/core/item.ts';
import type { AudioPacket } from '../../../src/core/types.ts';
import { hifigan } from '../../../stages/hifigan/index.ts';
import { openStageModel, type Model } from '../../../stages/shared/open-model.ts';
import { f32 } from '../../../stages/shared/tensors.ts';
import { clipItems, createTransform, processAll, testContext } from '../../helpers/stage-harness.ts';
import { chunkGrid, concatFloat, maxAbsDiff, seriesChunks } from '../rvc/clip-chunks.ts';

const FPS = 22050 / 256;
const T = 157;
const mel = Float32Array.from({ length: 80 * T }, (_, i) => -6 + 3 * Math.sin(i * 0.37) + Math.cos((i % T) * 0.11));
const rf = MANIFESTS.hifigan.receptiveField;

/** Items of the mel cut into `seconds` chunks (0.3 s = 25.8 frames: boundaries off the hop grid). */
const melItems = (seconds: number, frames = T): StageItem[] =>
  clipItems(
    seriesChunks(
      { name: 'mel', data: mel.subarray(0, 80 * frames), frames, framesPerSecond: FPS, width: 80, frameMajor: false },
      chunkGrid(frames / FPS, seconds),
      'mel',
    ),
    { before: 1, after: 1 },
  );

async function vocode(
  options: Record<string, unknown>,
  items: StageItem[],
  order: 'forward' | 'reverse' = 'forward',
): Promise<AudioPacket[]> {
  const stage = await createTransform(hifigan, options);
  try {
    if (order === 'forward') return (await processAll(stage, items)).map((p) => p.packet as AudioPacket);
    const out = await Promise.all([...items].reverse().map((item) => processAll(stage, [item])));
    return out
      .reverse()
      .flat()
      .map((p) => p.packet as AudioPacket);
  } finally {
    await stage.dispose();
  }
}

describe('hifigan items', () => {
  it('declares its item: one neighbour each side, the hop as granularity; the default context covers ±13 frames', () => {
    expect(hifigan.item).toEqual({
      neighbours: { before: 1, after: 1 },
      granularitySeconds: 256 / 22050,
      evenCost: true,
    });
    expect(hifigan.options.parse({}).contextFrames).toBeGreaterThanOrEqual(Math.max(13, rf.before, rf.after));
  });

  let model: Model;
  let whole: Float32Array;
  beforeAll(async () => {
    model = await openStageModel(testContext(hifigan), 'vocoder', 'hifigan');
    whole = (await model.run({ spec: f32(mel, [1, 80, T]) })).audio.data as Float32Array;
  });
  afterAll(async () => model?.release());
  const enough = { contextFrames: Math.max(rf.before, rf.after) + 1, chunkFrames: 16 };

  it('gives each chunk exactly its owned samples at 22050 Hz and equals the whole-clip vocoding', async () => {
    const packets = await vocode(enough, melItems(0.3));
    expect(packets).toHaveLength(Math.ceil(T / FPS / 0.3));
    for (const p of packets) {
      expect(p.sampleRate).toBe(22050);
      expect(p.startSample).toBe(Math.round(p.chunk.start * 22050));
      expect(p.data.length).toBe(Math.round(p.chunk.end * 22050) - p.startSample);
    }
    const chunked = concatFloat(packets.map((p) => p.data));
    expect(chunked.length).toBe(256 * T);
    // Measured 2.4e-5 on this mel (outputs near ±1): float32 summation order differs between the
    // fixed-shape runs and one 157-frame run; two runs of one shape are bit-identical.
    expect(maxAbsDiff(chunked, whole)).toBeLessThan(5e-5);
    // The last chunk holds 2 frames: its window reaches past the previous chunk, into log-mel
    // silence beyond every owned frame's reach — still exact. Starved of context, the seams show.
    const starved = concatFloat(
      (await vocode({ contextFrames: 1, chunkFrames: 16 }, melItems(0.3))).map((p) => p.data),
    );
    expect(maxAbsDiff(starved, whole)).toBeGreaterThan(1e-3);
  });

  it('gives the same audio whatever order the items run in', async () => {
    const forward = await vocode(enough, melItems(0.3));
    const reverse = await vocode(enough, melItems(0.3), 'reverse');
    expect(reverse.map((p) => p.data)).toEqual(forward.map((p) => p.data));
  });

  it('pads only a clip shorter than one window, and still gives 256·T samples', async () => {
    const packets = await vocode({ contextFrames: 8, chunkFrames: 16 }, melItems(0.05, 10));
    expect(concatFloat(packets.map((p) => p.data))).toHaveLength(2560);
  });
});
