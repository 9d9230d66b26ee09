import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that measure time or grow replicas from measured stage costs: on a loaded machine (two
 * test files at once on CI's 2 cores) they see other costs than they test for — the core-budget
 * tests grew one replica fewer. They run after the rest, one file at a time, with nothing beside.
 */
const TIMING = [
  'test/runtime/replicas.test.ts',
  'test/e2e/replicas.test.ts',
  'test/runtime/instance-driver.test.ts',
  'test/runtime/failures.test.ts',
  'test/inference/batcher.test.ts',
  'test/stages/dit/dit-stage.test.ts',
  'test/runtime/compute-spans.test.ts',
  'test/runtime/run-pipeline.test.ts',
  'test/runtime/remembered-costs.test.ts',
];

/**
 * Files that mock modules (vi.mock), change process-wide state (environment variables, the working
 * folder) that modules read once, or count the process's stage workers (a worker another file left
 * behind would fail them too): each runs in a process of its own. The others share their two
 * processes (no isolation), which saves ~0.5 s of start-up per file — half a minute over the suite
 * on 2 cores.
 */
const ISOLATED = [
  'test/runtime/join.test.ts',
  'test/runtime/stage-engine.test.ts',
  'test/runtime/overlap.test.ts',
  'test/runtime/worker-host.test.ts',
  'test/runtime/cancellation.test.ts',
  'test/inference/tensorrt-env-workers.test.ts',
  'test/cache/scan-frequency.test.ts',
  'test/cache/cache-command.test.ts',
  'test/cache/content-cache-limit.test.ts',
  'test/stages/text-to-video/pipeline-stage.test.ts',
  'test/stages/text-to-video/text-encoder-stage.test.ts',
  'test/media/badInput.test.ts',
  'test/media/fault-injection.test.ts',
  'test/media/binaries.test.ts',
  'test/inference/gpu-thread.test.ts',
  'test/cli/commands.test.ts',
  // Counts on full collections freeing promoted buffers: a process that other files' runs left
  // with a large old generation (and their reclaim timers) failed it once on CI.
  'test/runtime/buffer-reclaim.test.ts',
];

/**
 * Seconds the longest files took on 2 cores (a cold run has no timings cached: vitest would start
 * the largest files first, and a short file that runs long pipelines would start last and run on
 * alone). Only their order matters; files not listed follow, as vitest orders them.
 */
const LONGEST: Readonly<Record<string, number>> = {
  'test/precision/pipelines-int8.test.ts': 60,
  'test/e2e/face-stream.test.ts': 46,
  'test/models/real-arch-talking-head.test.ts': 40,
  'test/e2e/pipelines.test.ts': 40,
  'test/queue/queue-cli.test.ts': 38,
  'test/cli/compiled-build.test.ts': 36,
  'test/models/real-arch.test.ts': 26,
  'test/batch/batch-cli.test.ts': 24,
  'test/precision/models-precision-cli.test.ts': 22,
  'test/runtime/stage-engine.test.ts': 20,
  'test/cli/run-progress.test.ts': 19,
  'test/e2e/skip-silence.test.ts': 17,
  'test/cli/bench.test.ts': 15,
};

/** The longest files first (within each group), then the others in vitest's own order. */
class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const ordered = await super.sort(files);
    const seconds = (spec: TestSpecification) => LONGEST[relative(spec.project.config.root, spec.moduleId)] ?? 0;
    const group = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    const at = new Map(ordered.map((spec, i) => [spec, i]));
    return ordered.sort((a, b) => group(a) - group(b) || seconds(b) - seconds(a) || at.get(a)! - at.get(b)!);
  }
}

const shared = {
  // Stage workers and onnxruntime's native addon are happier in child processes than in threads.
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
  // Two files at once: the suite's wall time on 2 cores, most files being a process or two.
  maxWorkers: 2,
  // Runs do not start from the costs earlier runs remembered (~/.local/state/reel): a test that
  // counts replicas would see another test's plan. The cost-memory tests turn it on.
  env: { REEL_REMEMBER_COSTS: '0' },
};

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        test: {
          ...shared,
          name: 'isolated',
          include: ISOLATED,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: [...TIMING, ...ISOLATED],
          isolate: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          ...shared,
          name: 'timing',
          include: TIMING,
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
