import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Three files at a time on two cores: many suites wait on loopback sockets, child processes,
    // timers and `npm install` rather than burn CPU (the default here is one worker). On this
    // project's 2-core machine the suite took 209 s with two workers, 164 s and 190 s with three, and
    // it passed with three workers next to a process spinning on a core. Timing-sensitive checks
    // compare ratios or use bounds wide enough for a starved machine.
    maxWorkers: 3,
    // One module graph per worker rather than one per file: re-importing src/ (and its dependencies)
    // for each of ~130 files cost ~75 s of the workers' time. Test files share no mutable state: the
    // CLI in-process removes its signal listeners, env changes are undone, servers are closed.
    isolate: false,
  },
});
