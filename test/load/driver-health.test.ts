// The driver's own health: a deliberately blocked event loop marks the run invalid.
import { describe, expect, it } from 'vitest';
import { judge, watchDriver } from '../../src/load/driver-health.ts';

const limits = { maxEventLoopDelayP99Ms: 50, maxEventLoopUtilization: 0.9 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('driver health', () => {
  it('judges against the limits', () => {
    expect(judge({ eventLoopDelayP99Ms: 3, eventLoopDelayMaxMs: 9, eventLoopUtilization: 0.2, cpu: 0.2 }, limits).valid).toBe(true);
    const bad = judge({ eventLoopDelayP99Ms: 80, eventLoopDelayMaxMs: 90, eventLoopUtilization: 0.95, cpu: 1 }, limits);
    expect(bad.valid).toBe(false);
    expect(bad.reasons).toHaveLength(2);
    expect(bad.reasons[0]).toMatch(/event-loop delay p99 80\.0 ms > 50 ms/);
  });

  it('flags a deliberately blocked event loop (a saturated driver)', async () => {
    const monitor = watchDriver(limits);
    await sleep(60);
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // busy: the loop cannot run timers or I/O callbacks
    }
    await sleep(30);
    const health = monitor.stop();
    expect(health.valid).toBe(false);
    expect(health.eventLoopDelayMaxMs).toBeGreaterThan(200);
    expect(health.eventLoopUtilization).toBeGreaterThan(0.5);
  });

  it('passes an idle loop', async () => {
    const monitor = watchDriver(limits);
    await sleep(150);
    const health = monitor.stop();
    expect(health.eventLoopUtilization).toBeLessThan(0.9);
    // Timer jitter on a shared machine is not asserted beyond the limit itself.
    expect(health.reasons.filter((r) => r.includes('utilisation'))).toEqual([]);
  });
});
