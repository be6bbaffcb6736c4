// The load models' notion of time, injectable so schedules and intended-start accounting can be
// tested with a fake clock. Real time is process.hrtime.bigint() (monotonic, ns, the same clock
// in every process on the machine).
import { setTimeout as sleep } from 'node:timers/promises';

export interface Clock {
  now(): bigint;
  /** Resolves at or after `ns` (never before); returns at once if `ns` is already past. */
  sleepUntil(ns: bigint): Promise<void>;
}

export const realClock: Clock = {
  now: () => process.hrtime.bigint(),
  async sleepUntil(ns) {
    const waitMs = Number(ns - process.hrtime.bigint()) / 1e6;
    // setTimeout fires late, never early, at ms granularity: the lateness is the schedule delay.
    if (waitMs > 0) await sleep(Math.ceil(waitMs));
  },
};

/** A clock that moves only when told to: sleeps jump to their deadline (plus any injected lateness). */
export interface FakeClock extends Clock {
  advance(ns: bigint | number): void;
  /** Every sleep from now on wakes this much after its deadline (simulates a busy loop). */
  lateness: bigint;
}

export function createFakeClock(start = 0n): FakeClock {
  let t = start;
  const clock: FakeClock = {
    lateness: 0n,
    now: () => t,
    async sleepUntil(ns) {
      await Promise.resolve();
      const wake = ns + clock.lateness;
      if (wake > t) t = wake;
    },
    advance(ns) {
      t += BigInt(ns);
    },
  };
  return clock;
}

export const NS_PER_MS = 1_000_000n;

export function msToNs(ms: number): bigint {
  return BigInt(Math.round(ms * 1e6));
}
