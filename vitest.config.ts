import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two files at a time even on two cores: most suites wait on loopback sockets, child processes
    // and timers rather than burn CPU (the default here is one worker). Timing-sensitive checks
    // compare ratios or use generous bounds, and the suite passes this way on a 2-core machine.
    maxWorkers: 2,
  },
});
