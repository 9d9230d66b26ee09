import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/cli/pipeline.ts';
import { sourceNeeds } from '../../src/graph/source-needs.ts';

describe('sourceNeeds', () => {
  it('talking-head: script and voice are wanted whole; the face is looped under the speech, which ends it', async () => {
    const { graph } = await loadGraph('pipelines/talking-head.yaml');
    for (const input of ['script', 'voice']) expect(sourceNeeds(graph, input).whole, input).toBe(true);
    expect(sourceNeeds(graph, 'face')).toMatchObject({ whole: false, loop: true });
    expect(sourceNeeds(graph, 'script').loop).toBe(false);
  });

  it('a face that only face-detect reads is not looped: nothing else would end it', async () => {
    const { graph } = await loadGraph('pipelines/talking-head.yaml');
    graph.edges = graph.edges.filter((e) => !(e.from.node === 'face' && e.to.node === 'lipsync'));
    expect(sourceNeeds(graph, 'face').loop).toBe(true); // Wav2Lip, fed the boxes, still ends it
    const detectOnly = { ...graph, edges: graph.edges.filter((e) => e.to.node !== 'lipsync') };
    expect(sourceNeeds(detectOnly, 'face').loop).toBe(false);
  });

  it('voice-convert: audio is chunked on a grid that suits both the 20 ms encoder and the 10 ms RVC frames', async () => {
    const { graph } = await loadGraph('pipelines/voice-convert.yaml');
    expect(sourceNeeds(graph, 'audio')).toEqual({ whole: false, loop: false, granularitySeconds: 0.02 });
  });
});
