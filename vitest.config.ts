import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    /** `npm start` runs the compiled bot: build dist/ once, before any test starts it. */
    globalSetup: ['test/support/build-once.ts'],
    /** Most tests wait on servers, not the CPU: three files at once keep a 2-core machine busy without starving it. */
    maxWorkers: 3,
    reporters: process.env.CI ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
