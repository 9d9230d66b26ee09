/**
 * Runs the shipped `pipelines/text-to-video.yaml` — its real loader, graph builder and stage
 * kinds — with the media I/O swapped for fixtures (a text file source, a raw-frames sink), since
 * the media sources/sinks are implemented elsewhere. Returns the frames and the run's log.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline } from '../../../src/config/load.ts';
import { buildGraph } from '../../../src/graph/build.ts';
import type { RunEvent } from '../../../src/runtime/runner.ts';
import { runPipeline, type RunResult } from '../../../src/runtime/run-pipeline.ts';
import { referenceModelPath } from '../../../models/reference.ts';
import type { FamilyId } from '../../../models/manifests/index.ts';
import { STAGE_KINDS } from '../../../stages/index.ts';
import { framesSink, type FramesRecord } from '../../fixtures/stages/frames-sink.ts';
import { textFixtureSource } from '../../fixtures/stages/text-fixture-source.ts';

export const PIPELINE = join(import.meta.dirname, '../../../pipelines/text-to-video.yaml');

export interface TextToVideoRun {
  frames: Uint8Array;
  packets: FramesRecord[];
  logs: { stage: string; line: string }[];
  result: RunResult;
}

export interface RunChoices {
  /** Inference stages in worker threads, as `reel run` does. @defaultValue false (faster for tiny runs) */
  workers?: boolean;
  onEvent?: (event: RunEvent) => void;
}

export async function runTextToVideo(
  prompt: string,
  load: { profile?: string; set?: string[] } = {},
  run: RunChoices = {},
): Promise<TextToVideoRun> {
  const dir = await mkdtemp(join(tmpdir(), 'reel-t2v-'));
  const promptFile = join(dir, 'prompt.txt');
  await writeFile(promptFile, prompt);
  const loaded = await loadPipeline(PIPELINE, load);
  const { graph } = await buildGraph(loaded, {
    registry: {
      kinds: { ...STAGE_KINDS, [textFixtureSource.kind]: textFixtureSource, [framesSink.kind]: framesSink },
      sourceFor: { text: textFixtureSource.kind },
      sinkFor: { mp4: framesSink.kind },
    },
    referenceModel: (family) => referenceModelPath(family as FamilyId, 'tiny'),
  });
  const logs: TextToVideoRun['logs'] = [];
  try {
    const result = await runPipeline(graph, {
      inputs: { prompt: promptFile },
      outDir: dir,
      workers: run.workers ?? false,
      onEvent: (e) => {
        if (e.type === 'log') logs.push({ stage: e.stage, line: e.line });
        run.onEvent?.(e);
      },
    });
    const frames = new Uint8Array(await readFile(join(dir, 'video.rgb')));
    const packets = (await readFile(join(dir, 'video.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as FramesRecord);
    return { frames, packets, logs, result };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
