import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/scenarios/**/*.test.ts'],
          // One primary + replica pair per flavor for the whole run (test/helpers/global-setup.ts).
          globalSetup: ['test/helpers/global-setup.ts'],
          // Timeouts catch hangs; they do not measure speed. Two test files share the 2 cores with
          // up to four servers, and a test that takes 5 s alone took 69 s beside the fault suite, so
          // the limit leaves a wide margin over the slowest file's tests seen on a busy machine.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
