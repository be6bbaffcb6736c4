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
    // One module graph per worker rather than one per file: re-importing src/ (and its dependencies)
    // for each of ~130 files cost ~75 s of the workers' time. Test files share no mutable state: the
    // CLI in-process removes its signal listeners, env changes are undone, servers are closed.
    isolate: false,
  },
});
