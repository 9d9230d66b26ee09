import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Stage workers and onnxruntime's native addon are happier in child processes than in threads.
    pool: 'forks',
    // Two files at once on CI's 2 cores: the suite is mostly waiting on child processes, ffmpeg and
    // worker start-up, and runs in about 4.5 min instead of 6. Time limits in tests are generous.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
