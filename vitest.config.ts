import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Stage workers and onnxruntime's native addon are happier in child processes than in threads.
    pool: 'forks',
    // One file at a time. Two at once ran the suite in 4.5 min instead of 6 on CI's 2 cores, but the
    // core-budget tests measure stage costs and, on a loaded machine, grew one replica fewer.
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
