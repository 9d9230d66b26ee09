/**
 * Whole inputs reach a worker once per clip: every item of the clip sees the same packet object
 * (so a stage may cache what it derives from it, e.g. a reference voice's pitch), rather than a
 * fresh copy of it posted with each item.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AudioPacket } from '../../src/core/types.ts';
import { runPipeline } from '../../src/runtime/index.ts';
import { testGraph } from '../fixtures/stages/graph.ts';
import { memoryAudioSink, memoryAudioSource, receivedPackets, registerClip } from '../fixtures/stages/memory-clips.ts';
import { wholeIdentityStage } from '../fixtures/stages/whole-identity-stage.ts';

describe('whole inputs in a worker', () => {
  it('are posted once per clip: all 6 items see one packet object', { timeout: 30_000 }, async () => {
    registerClip('whole-id-in', { kind: 'audio', data: new Float32Array(16000 * 6).fill(0.5), sampleRate: 16000 });
    registerClip('whole-id-ref', { kind: 'audio', data: new Float32Array(16000 * 2).fill(0.25), sampleRate: 16000 });
    const graph = testGraph({
      nodes: {
        speech: { def: memoryAudioSource, options: { key: 'whole-id-in' } },
        voice: { def: memoryAudioSource, options: { key: 'whole-id-ref' } },
        stage: { def: wholeIdentityStage },
        sink: { def: memoryAudioSink, binding: 'whole-id-out' },
      },
      edges: ['speech.out -> stage.in', 'voice.out -> stage.ref', 'stage.out -> sink.in'],
    });
    await runPipeline(graph, { outDir: await mkdtemp(join(tmpdir(), 'reel-whole-')) });
    const got = receivedPackets('whole-id-out') as AudioPacket[];
    expect(got).toHaveLength(6);
    expect(got.map((p) => p.data[0])).toEqual([1, 1, 1, 1, 1, 1]);
  });
});
