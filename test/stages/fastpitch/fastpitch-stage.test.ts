/** fastpitch stage, run directly: sentence mels re-cut on the pipeline grid, `last` once, paced output, pace honoured. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.ts';
import type { ChunkInfo, TensorPacket } from '../../../src/core/types.ts';
import { fastpitch } from '../../../stages/fastpitch/index.ts';
import { concatMels, synthesizeScript } from '../../../stages/fastpitch/runner.ts';
import { clipItems, createTransform, processAll } from '../../helpers/stage-harness.ts';
import { openFastpitch } from './reference-model.ts';

const FPS = 22050 / 256;
const S = 0.25;
const SCRIPT = 'Hello there, how are you today? I am fine. Thanks for asking, friend!';

function scriptItem(text: string) {
  const chunk: ChunkInfo = { clipId: 'clip', index: 0, start: 0, end: 0, last: true };
  return clipItems([{ chunk, ports: {} }], undefined, { text: { kind: 'text', chunk, text } })[0];
}

async function mels(pace: number, ctx: Parameters<typeof createTransform>[2] = {}): Promise<TensorPacket[]> {
  const stage = await createTransform(
    fastpitch,
    { pace },
    { chunking: { seconds: S, silenceSearchSeconds: 0 }, ...ctx },
  );
  try {
    const out = await processAll(stage, [scriptItem(SCRIPT)]);
    expect(out.every((p) => p.port === 'mel')).toBe(true);
    return out.map((p) => p.packet as TensorPacket);
  } finally {
    await stage.dispose();
  }
}

describe('fastpitch stage (direct)', () => {
  it('re-cuts sentence mels on the grid, flags only the final chunk, equals the sentence runs joined', async () => {
    const logs: string[] = [];
    let roomCalls = 0;
    // warmup 1: the warm-up feeds built from the manifest run once.
    const packets = await mels(1, {
      settings: { warmup: 1 },
      log: (l) => logs.push(l),
      outputRoom: async () => void roomCalls++,
    });
    expect(logs.filter((l) => l.includes('provider'))).toHaveLength(1);
    expect(packets.length).toBeGreaterThan(2);
    expect(roomCalls).toBe(packets.length - 1);
    const total = packets.reduce((n, p) => n + p.tensor.dims[2], 0);
    packets.forEach((p, k) => {
      expect(p.chunk.index).toBe(k);
      expect(p.chunk.start).toBeCloseTo(k * S, 9);
      expect(p.chunk.last).toBe(k === packets.length - 1);
      const first = Math.round(k * S * FPS);
      const end = p.chunk.last ? total : Math.round((k + 1) * S * FPS);
      expect(p.tensor.dims).toEqual([1, 80, end - first]);
      expect(p.meta?.startFrame).toBe(first);
    });
    expect(packets.at(-1)!.chunk.end).toBeCloseTo(total / FPS, 9);

    const model = await openFastpitch();
    const whole = concatMels((await synthesizeScript(model, SCRIPT)).map((r) => r.mel));
    await model.release();
    const chunked = concatMels(packets.map((p) => ({ data: p.tensor.data as Float32Array, frames: p.tensor.dims[2] })));
    expect(chunked.frames).toBe(whole.frames);
    expect(chunked.data).toEqual(whole.data);

    const fast = (await mels(2)).reduce((n, p) => n + p.tensor.dims[2], 0);
    expect(fast).toBeLessThan(0.7 * total);
    expect(fast).toBeGreaterThan(0.3 * total);
  });

  it('reports a script with nothing to say as an input error', async () => {
    const stage = await createTransform(fastpitch, {}, { chunking: { seconds: S, silenceSearchSeconds: 0 } });
    try {
      await expect(processAll(stage, [scriptItem('#*#')])).rejects.toThrow(InputError);
      await expect(processAll(stage, [scriptItem('#*#')])).rejects.toThrow(/no speakable symbols/);
    } finally {
      await stage.dispose();
    }
  });
});
