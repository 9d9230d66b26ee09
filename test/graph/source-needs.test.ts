import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it("a looped face is cut on the speech grid (its consumers' hop), so chunks pair by index without drift", async () => {
    // Recorded speech converted by RVC, then lip-synced: the speech source cuts on the 20 ms hop
    // of the content encoder; the face's own consumers have none, yet it must cut on the same grid.
    const dir = await mkdtemp(join(tmpdir(), 'reel-needs-'));
    const file = join(dir, 'convert-and-sync.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'name: convert-and-sync',
        'inputs: { speech: { type: audio }, face: { type: video } }',
        'stages:',
        '  content: { use: content-encoder, in: { audio: inputs.speech } }',
        '  convert: { use: rvc, in: { audio: inputs.speech, features: content.features } }',
        '  faces: { use: face-detect, in: { frames: inputs.face } }',
        '  lipsync: { use: wav2lip, in: { audio: convert.audio, frames: inputs.face, boxes: faces.boxes } }',
        'outputs: { synced: { write: mp4, in: { frames: lipsync.frames, audio: convert.audio } } }',
      ].join('\n'),
    );
    const { graph } = await loadGraph(file);
    expect(sourceNeeds(graph, 'speech').granularitySeconds).toBe(0.02);
    expect(sourceNeeds(graph, 'face')).toEqual({ whole: false, loop: true, granularitySeconds: 0.02 });
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
