/**
 * Warnings — a line saying the result is not what was asked for — are marked as such wherever they
 * surface: `warning: stage "…": …` on a run's stderr, and in a batch's report beside the sample.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchReportCsv } from '../../src/batch/report.ts';
import { onMediaProgress, type SampleOutcome } from '../../src/batch/run-batch.ts';
import { loadGraph } from '../../src/cli/pipeline.ts';
import { runCli } from '../helpers/cli.ts';

describe('warnings', () => {
  it('a run whose stages fell back from WebGPU says so once per reason, each line marked warning:', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'reel-warn-'));
    const r = await runCli([
      'run',
      'pipelines/voice-convert.yaml',
      '--provider',
      'webgpu',
      '--input',
      'audio=samples/talking-head/short/voice.wav',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    // This machine reaches no GPU: both ONNX stages run on the CPU instead. Whichever stage opens its
    // session first says why; the other points back to it.
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: '));
    expect(warnings).toHaveLength(2);
    const [first, second] = warnings[0].includes('"content"') ? ['content', 'convert'] : ['convert', 'content'];
    expect(warnings[0]).toMatch(new RegExp(`^warning: stage "${first}": provider cpu \\(not webgpu: .*Vulkan.*\\)$`));
    expect(warnings[1]).toBe(`warning: stage "${second}": provider cpu (not webgpu: as for stage "${first}")`);
  });

  it("a batch keeps each sample's warnings, once each, in its report", async () => {
    const { graph } = await loadGraph('pipelines/talking-head.yaml', {});
    const warnings: string[] = [];
    const onEvent = onMediaProgress(graph, () => {}, warnings);
    const fallback = 'no face found in 1 frame of 1; using the fallback box [1, 2, 3, 4]';
    onEvent({ type: 'log', stage: 'faces', line: fallback, level: 'warning' });
    onEvent({ type: 'log', stage: 'faces', line: fallback, level: 'warning' });
    onEvent({ type: 'log', stage: 'text', line: 'prompt embeddings from cache (/tmp/c)' });
    expect(warnings).toEqual([`warning: stage "faces": ${fallback}`]);

    const outcome: SampleOutcome = {
      id: 'a',
      origin: 'a',
      status: 'done',
      reason: 'new',
      attempts: 1,
      outputs: [],
      warnings: [...warnings, 'warning: stage "lipsync": provider cpu (not cuda: x)'],
    };
    const [header, row] = batchReportCsv([outcome], '/out').trim().split('\n');
    expect(header.split(',').at(-1)).toBe('warnings');
    // The last field, quoted as CSV quotes a field with quotes in it: the warnings, joined by " | ".
    const field = `"${outcome.warnings!.join(' | ').replaceAll('"', '""')}"`;
    expect(row.endsWith(`,${field}`)).toBe(true);
  });
});
