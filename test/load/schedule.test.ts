// Load models with a fake clock: schedules, count and time bounds, warm-up marking, and the
// intended-start accounting that keeps open-loop latency honest (no coordinated omission).
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '../../src/base/clock.ts';
import { runLoadModel, type LaunchInfo } from '../../src/load/load-model.ts';
import { arrivalOffsets, type OpenLoopModel } from '../../src/load/schedule.ts';

const MS = 1_000_000n;

function take(model: OpenLoopModel, n: number): bigint[] {
  const out: bigint[] = [];
  for (const t of arrivalOffsets(model)) {
    out.push(t);
    if (out.length === n) break;
  }
  return out;
}

describe('arrival schedules', () => {
  it('constant rate: evenly spaced intended starts', () => {
    expect(take({ type: 'constant', rate: 100, maxInFlight: 10 }, 4)).toEqual([0n, 10n * MS, 20n * MS, 30n * MS]);
  });

  it('Poisson: seeded (same seed, same schedule) with the requested mean rate', () => {
    const a = take({ type: 'poisson', rate: 200, seed: 3, maxInFlight: 10 }, 5000);
    const b = take({ type: 'poisson', rate: 200, seed: 3, maxInFlight: 10 }, 5000);
    expect(a).toEqual(b);
    const seconds = Number(a[a.length - 1]!) / 1e9;
    expect(a.length / seconds).toBeGreaterThan(190);
    expect(a.length / seconds).toBeLessThan(210);
    for (let i = 1; i < a.length; i++) expect(a[i]! >= a[i - 1]!).toBe(true);
  });
});

describe('runLoadModel', () => {
  it('closed loop: N workers, each starting the next request when its last ends, bounded by count', async () => {
    const clock = createFakeClock();
    let open = 0;
    let maxOpen = 0;
    const launched: LaunchInfo[] = [];
    const r = await runLoadModel({
      model: { type: 'closed', concurrency: 4, rampUpMs: 0 },
      bounds: { maxRequests: 20, maxDurationMs: 60_000, warmupRequests: 5, warmupMs: 0 },
      clock,
      async launch(info) {
        launched.push(info);
        open++;
        maxOpen = Math.max(maxOpen, open);
        await Promise.resolve();
        clock.advance(10n * MS);
        open--;
      },
    });
    expect(r.launched).toBe(20);
    expect(r.measuredLaunched).toBe(15);
    expect(r.stoppedBy).toBe('count');
    expect(maxOpen).toBe(4);
    expect(launched.filter((l) => l.warmup).map((l) => l.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('closed loop: bounded by time as well', async () => {
    const clock = createFakeClock();
    const r = await runLoadModel({
      model: { type: 'closed', concurrency: 2, rampUpMs: 0 },
      bounds: { maxRequests: 1_000_000, maxDurationMs: 100, warmupRequests: 0, warmupMs: 0 },
      clock,
      async launch() {
        await Promise.resolve();
        clock.advance(10n * MS);
      },
    });
    expect(r.stoppedBy).toBe('time');
    expect(r.launched).toBeGreaterThan(5);
    expect(r.launched).toBeLessThan(30);
  });

  it('open loop: requests start on schedule whatever the gateway does; latency runs from the intended start', async () => {
    const clock = createFakeClock();
    const starts: Array<{ intended: bigint; actual: bigint }> = [];
    const r = await runLoadModel({
      model: { type: 'constant', rate: 100, maxInFlight: 100 },
      bounds: { maxRequests: 10, maxDurationMs: 60_000, warmupRequests: 0, warmupMs: 0 },
      clock,
      async launch(info) {
        starts.push({ intended: info.intendedNs, actual: clock.now() });
        // A slow gateway: requests are still open when the next are due. The schedule does not wait.
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    });
    expect(r.launched).toBe(10);
    expect(starts.map((s) => s.intended)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt(i) * 10n * MS));
    expect(r.scheduleDelay.maxValue).toBe(0);
    expect(r.maxInFlight).toBeGreaterThan(1);
  });

  it('open loop: a late loop records the schedule delay, and the intended start stays the latency origin', async () => {
    const clock = createFakeClock();
    clock.lateness = 7n * MS; // every wake-up is 7 ms late (a busy driver)
    const origins: bigint[] = [];
    const r = await runLoadModel({
      model: { type: 'constant', rate: 50, maxInFlight: 100 },
      bounds: { maxRequests: 5, maxDurationMs: 60_000, warmupRequests: 0, warmupMs: 0 },
      clock,
      async launch(info) {
        origins.push(info.intendedNs);
      },
    });
    // Intended starts are the schedule's, not the late wake-ups: 0, 20, 40, 60, 80 ms.
    expect(origins).toEqual([0n, 20n * MS, 40n * MS, 60n * MS, 80n * MS]);
    // The first request starts at once; the others each wake 7 ms late.
    expect(r.scheduleDelay.totalCount).toBe(5);
    expect(r.scheduleDelay.maxValue).toBeGreaterThanOrEqual(6_990_000);
    expect(r.scheduleDelay.getValueAtPercentile(10)).toBe(0);
  });

  it('open loop: arrivals beyond maxInFlight are dropped and counted, never queued', async () => {
    const clock = createFakeClock();
    const release: Array<() => void> = [];
    const run = runLoadModel({
      model: { type: 'constant', rate: 1000, maxInFlight: 2 },
      bounds: { maxRequests: 6, maxDurationMs: 60_000, warmupRequests: 0, warmupMs: 0 },
      clock,
      launch: () => new Promise<void>((resolve) => release.push(resolve)),
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (const r of release) r();
    const r = await run;
    expect(r.launched).toBe(2);
    expect(r.dropped).toBe(4);
  });

  it('open loop: warm-up by time excludes early requests from the schedule-delay statistics', async () => {
    const clock = createFakeClock();
    const warm: boolean[] = [];
    const r = await runLoadModel({
      model: { type: 'constant', rate: 100, maxInFlight: 10 },
      bounds: { maxRequests: 10, maxDurationMs: 60_000, warmupRequests: 0, warmupMs: 30 },
      clock,
      async launch(info) {
        warm.push(info.warmup);
      },
    });
    expect(warm).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(r.measuredLaunched).toBe(7);
    expect(r.scheduleDelay.totalCount).toBe(7);
  });

  it('calls afterLaunching once, when no more requests will start', async () => {
    const clock = createFakeClock();
    let calls = 0;
    let launchedWhenCalled = -1;
    let launched = 0;
    await runLoadModel({
      model: { type: 'closed', concurrency: 3, rampUpMs: 30 },
      bounds: { maxRequests: 9, maxDurationMs: 60_000, warmupRequests: 0, warmupMs: 0 },
      clock,
      async launch() {
        launched++;
        await Promise.resolve();
        clock.advance(MS);
      },
      afterLaunching() {
        calls++;
        launchedWhenCalled = launched;
      },
    });
    expect(calls).toBe(1);
    expect(launchedWhenCalled).toBe(9);
  });
});
