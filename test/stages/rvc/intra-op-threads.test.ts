/**
 * The core budget picks intra-op threads per stage; a run's output must not depend on them beyond
 * float rounding. voice-convert's two model stages at 1 and 4 intra-op threads agree within 1e-5
 * of a ±1 signal.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureReferenceModel } from '../../../models/reference.ts';
import type { AudioPacket } from '../../../src/core/types.ts';
import { contentEncoder } from '../../../stages/content-encoder/index.ts';
import { rvc } from '../../../stages/rvc/index.ts';
import {
  memoryAudioSink,
  memoryAudioSource,
  receivedPackets,
  registerClip,
} from '../../fixtures/stages/memory-clips.ts';
import { concatFloat, maxAbsDiff, runStages } from '../talking-head/stage-harness.ts';

const RATE = 16000;

let encoder: string, synthesizer: string;
beforeAll(async () => {
  [encoder, synthesizer] = await Promise.all([ensureReferenceModel('content-encoder'), ensureReferenceModel('rvc')]);
  const n = 3 * RATE;
  const voice = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / RATE;
    voice[i] = 0.3 * Math.sin(2 * Math.PI * (150 + 40 * t) * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 2 * t));
  }
  registerClip('intra-op-voice', { kind: 'audio', data: voice, sampleRate: RATE });
});

async function convertWith(intraOp: number, vcOp = intraOp): Promise<Float32Array> {
  const threads = { threads: { intraOp, interOp: 1, spinning: false } };
  const key = `intra-op-${intraOp}-${vcOp}`;
  await runStages({
    chunkSeconds: 1,
    nodes: {
      src: { def: memoryAudioSource, options: { key: 'intra-op-voice' } },
      content: { def: contentEncoder, models: { encoder }, settings: threads },
      vc: {
        def: rvc,
        options: { sampleRate: 40000 },
        models: { synthesizer },
        settings: { threads: { intraOp: vcOp, interOp: 1, spinning: false } },
      },
      sink: { def: memoryAudioSink, binding: key },
    },
    edges: [
      'src.out -> content.audio',
      'src.out -> vc.audio',
      'content.features -> vc.features',
      'vc.audio -> sink.in',
    ],
  });
  return concatFloat((receivedPackets(key) as AudioPacket[]).map((p) => p.data));
}

describe('intra-op threads', () => {
  it('change voice-convert output by no more than float rounding (1e-5 of a ±1 signal)', async () => {
    const one = await convertWith(1);
    const four = await convertWith(4);
    expect(one.length).toBe(3 * 40000);
    expect(four.length).toBe(one.length);
    // Measured: the content encoder is bit-exact; the synthesizer's threaded reductions move samples
    // of a ±1 signal by up to 4.3e-6 — a seventh of one 16-bit step, so the written wav rarely changes.
    expect(maxAbsDiff(one, four)).toBeLessThanOrEqual(1e-5);
  });
});
