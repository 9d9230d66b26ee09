import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/cli/pipeline.ts';
import { findCycle, topologicalOrder } from '../../src/graph/order.ts';

describe('buildGraph on the shipped pipelines', () => {
  it('talking-head: the default profile prunes the FastPitch branch, with a note per pruned stage', async () => {
    const { graph, notes } = await loadGraph('pipelines/talking-head.yaml');
    expect([...graph.nodes.keys()].sort()).toEqual(
      ['content', 'convert', 'face', 'faces', 'lipsync', 'script', 'speech', 'tts', 'video', 'voice'].sort(),
    );
    expect(notes.map((n) => n.message)).toEqual([
      'stage "acoustic" feeds no output; pruned',
      'stage "vocoder" feeds no output; pruned',
      'stage "voiced" feeds no output; pruned', // the VAD of --profile pauses
    ]);
  });

  it('talking-head --profile fast rewires RVC to FastPitch + HiFi-GAN and prunes VALL-E X', async () => {
    const { graph, notes } = await loadGraph('pipelines/talking-head.yaml', { profile: 'fast' });
    expect(graph.nodes.has('tts')).toBe(false);
    expect(graph.nodes.get('acoustic')?.kind).toBe('fastpitch');
    const into = (node: string, port: string) =>
      graph.edges.find((e) => e.to.node === node && e.to.port === port)?.from;
    expect(into('convert', 'audio')).toEqual({ node: 'vocoder', port: 'audio' });
    expect(into('content', 'audio')).toEqual({ node: 'vocoder', port: 'audio' });
    expect(notes.map((n) => n.message)).toEqual([
      'stage "tts" feeds no output under profile "fast"; pruned',
      'stage "voiced" feeds no output under profile "fast"; pruned',
    ]);
  });

  it('every edge goes forward in the topological order', async () => {
    for (const file of [
      'pipelines/talking-head.yaml',
      'pipelines/text-to-video.yaml',
      'pipelines/voice-convert.yaml',
    ]) {
      const { graph } = await loadGraph(file);
      const rank = new Map(graph.order.map((id, i) => [id, i]));
      expect(graph.order).toHaveLength(graph.nodes.size);
      for (const e of graph.edges) expect(rank.get(e.from.node)!).toBeLessThan(rank.get(e.to.node)!);
    }
  });

  it('text-to-video profiles set steps and guidance', async () => {
    const fast = await loadGraph('pipelines/text-to-video.yaml', { profile: 'fast' });
    expect(fast.graph.nodes.get('denoiser')?.options).toMatchObject({ steps: 24, guidance: 3 });
    const quality = await loadGraph('pipelines/text-to-video.yaml', { profile: 'quality' });
    expect(quality.graph.nodes.get('denoiser')?.options).toMatchObject({ steps: 50, guidance: 6 });
  });

  it('applies defaults to options and settings', async () => {
    const { graph } = await loadGraph('pipelines/text-to-video.yaml');
    const decoder = graph.nodes.get('decoder')!;
    expect(decoder.options.scalingFactor).toBeCloseTo(1.15258426, 8);
    expect(decoder.settings.threads).toEqual({ intraOp: 2, interOp: 1, spinning: false });
    expect(graph.nodes.get('encoder')!.settings.cache).toBe(true);
    expect(decoder.settings.cache).toBe(false);
    expect(graph.chunking).toEqual({ seconds: 10, silenceSearchSeconds: 1 });
  });

  it('notes, without failing, that an old chunking.overlap no longer has an effect', async () => {
    const file = 'test/fixtures/pipelines/old-overlap.yaml';
    const { graph, notes } = await loadGraph(file);
    expect(graph.chunking).toEqual({ seconds: 5, silenceSearchSeconds: 1 });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ severity: 'note', location: { file, line: 13, col: 3 } });
    expect(notes[0].message).toMatch(/^chunking\.overlap no longer has an effect/);
  });

  it('lets a stateless kind run several chunks at once: the runtime hands each its neighbours', async () => {
    const { graph } = await loadGraph('test/fixtures/pipelines/tts-minimal.yaml', {
      set: ['stages.vocoder.concurrency=3'],
    });
    expect(graph.nodes.get('vocoder')?.settings.concurrency).toBe(3);
  });
});

describe('graph order helpers', () => {
  const adj = (pairs: [string, string][]) => {
    const m = new Map<string, string[]>();
    for (const [a, b] of pairs) m.set(a, [...(m.get(a) ?? []), b]);
    return m;
  };
  it('finds a cycle and returns it as a closed path', () => {
    expect(
      findCycle(
        ['a', 'b', 'c', 'd'],
        adj([
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'd'],
          ['d', 'b'],
        ]),
      ),
    ).toEqual(['b', 'c', 'd', 'b']);
    expect(findCycle(['a', 'b'], adj([['a', 'b']]))).toBeUndefined();
  });
  it('orders a diamond with ties in declaration order', () => {
    expect(
      topologicalOrder(
        ['a', 'b', 'c', 'd'],
        adj([
          ['a', 'c'],
          ['a', 'b'],
          ['b', 'd'],
          ['c', 'd'],
        ]),
      ),
    ).toEqual(['a', 'c', 'b', 'd']);
  });
});
