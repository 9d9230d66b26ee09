import { defineConfig } from 'vitest/config';

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
];

const shared = {
  // Stage workers and onnxruntime's native addon are happier in child processes than in threads.
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          ...shared,
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: TIMING,
          // Two files at once: the suite's wall time on 2 cores, most files being a process or two.
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          ...shared,
          name: 'timing',
          include: TIMING,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
