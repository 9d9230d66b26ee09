import { describe, expect, it } from 'vitest';
import { loadGraph } from '../../src/cli/pipeline.ts';
import { sourceNeeds } from '../../src/graph/source-needs.ts';

describe('sourceNeeds', () => {
  it('talking-head: script, voice and face are all wanted whole by every consumer', async () => {
    const { graph } = await loadGraph('pipelines/talking-head.yaml');
    for (const input of ['script', 'voice', 'face']) expect(sourceNeeds(graph, input).whole, input).toBe(true);
  });

  it('voice-convert: audio is chunked on a grid that suits both the 20 ms encoder and the 10 ms RVC frames', async () => {
    const { graph } = await loadGraph('pipelines/voice-convert.yaml');
    expect(sourceNeeds(graph, 'audio')).toEqual({ whole: false, granularitySeconds: 0.02 });
  });
});
