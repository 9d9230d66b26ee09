/** The talking-head stage kinds end to end from a YAML pipeline, with in-memory sources and sinks. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../../src/cli/pipeline.ts';
import type { StageDefinition } from '../../../src/core/stage.ts';
import type { AudioPacket, PortType, VideoPacket } from '../../../src/core/types.ts';
import type { GraphNode, PipelineGraph } from '../../../src/graph/types.ts';
import { runPipeline } from '../../../src/runtime/index.ts';
import { memorySourceFor, receivedPackets, recordingSink, registerClip } from '../../fixtures/stages/memory-clips.ts';
import { drawFace } from './synthetic-face.ts';

const YAML = new URL('../../fixtures/pipelines/talking-head-stages.yaml', import.meta.url).pathname;

/** The built graph with its ffmpeg sources and sinks swapped for in-memory ones (media I/O is tested elsewhere). */
function inMemory(graph: PipelineGraph): PipelineGraph {
  const nodes = new Map<string, GraphNode>();
  for (const [id, node] of graph.nodes) {
    if (node.role === 'source') {
      const type = Object.values(node.def.outputs)[0].type as PortType;
      const def = memorySourceFor(type);
      const port = Object.keys(node.def.outputs)[0];
      nodes.set(id, {
        ...node,
        def: { ...def, outputs: { [port]: def.outputs.out } } as unknown as StageDefinition,
        kind: def.kind,
        options: { key: node.binding ?? id, seconds: null, port },
      });
    } else if (node.role === 'sink') {
      const def = recordingSink(node.def.inputs);
      nodes.set(id, { ...node, def: def as unknown as StageDefinition, kind: def.kind, options: {} });
    } else nodes.set(id, node);
  }
  return { ...graph, nodes };
}

describe('talking-head stages from YAML', () => {
  it('runs script → FastPitch → HiFi-GAN → RVC → Wav2Lip with exact, drift-free lengths', async () => {
    registerClip('script', { kind: 'text', text: 'Good morning. The weather is fine today.' });
    registerClip('voice', {
      kind: 'audio',
      sampleRate: 16000,
      data: Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 220 * i) / 16000)),
    });
    const face = drawFace(256, 256, 128, 130, 60, 78);
    registerClip('face', { kind: 'video', data: face.data, width: 256, height: 256, fps: 25, frameCount: 1 });
    const { graph } = await loadGraph(YAML);
    const logs: string[] = [];
    await runPipeline(inMemory(graph), {
      outDir: await mkdtemp(join(tmpdir(), 'reel-th-yaml-')),
      workers: false,
      onEvent: (e) => void (e.type === 'log' && logs.push(e.line)),
    });
    for (const stage of ['acoustic', 'vocoder', 'content', 'convert', 'faces', 'lipsync']) {
      expect(logs.filter((l) => l.startsWith(`stage "${stage}": provider`))).toHaveLength(1);
    }
    const speech = receivedPackets('speech.audio') as AudioPacket[];
    const frames = receivedPackets('video.frames') as VideoPacket[];
    const duration = speech.at(-1)!.chunk.end;
    expect(speech.reduce((n, p) => n + p.data.length, 0)).toBe(Math.round(duration * 40000));
    expect(frames.reduce((n, p) => n + p.frameCount, 0)).toBe(Math.round(duration * 25));
    expect(frames.map((p) => p.chunk.index)).toEqual(speech.map((p) => p.chunk.index));
    expect(receivedPackets('video.audio')).toHaveLength(speech.length);
  });
});
