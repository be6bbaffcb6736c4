// CPU per event and the calibration verdict, computed from known inputs; and a real phase over
// loopback whose process readers report known CPU deltas. No wall-clock figure is asserted.
import { describe, expect, it } from 'vitest';
import { MeasurementList } from '../../src/load/measurements.ts';
import { addCpuPerEvent, cpuWait, processFigureName } from '../../src/load/phase-measurements.ts';
import { mergePhases, runPhase } from '../../src/load/phase.ts';
import { totalErrors } from '../../src/load/load-stats.ts';
import { directSources, loadInputs } from '../../src/load/stream-sources.ts';
import { startReplayUpstream } from '../../src/replay/upstream.ts';
import { driverCheck, judgeCalibration } from '../../src/scenario/kinds/load/run.ts';
import type { PhaseResult } from '../../src/load/phase.ts';
import { availableParallelism } from 'node:os';
import { spawn } from 'node:child_process';
import { runQueueWaitUs } from '../../src/load/run-queue.ts';
import { findMeasurementDef } from '../../src/checks/measurement-catalog.ts';

describe('CPU per event', () => {
  it('divides each process CPU time over the phase by the events delivered', () => {
    const m = new MeasurementList();
    addCpuPerEvent(m, '', {
      cpuUs: { driver: 150_000, gateway: 300_000, upstream: 90_000 },
      runWaitUs: { driver: 50_000, gateway: 250_000 },
      analysisCpuUs: 60_000,
      eventsDelivered: 10_000,
      windows: [
        [1_000, 1_300],
        [2_000, 2_200],
      ],
    });
    expect(m.get('driver_cpu_us_per_event')).toBe(15);
    // 540 ms of CPU over 500 ms of phase: the three processes kept 1.08 cores busy.
    expect(m.get('cores_used')).toBeCloseTo(1.08, 9);
    expect(findMeasurementDef('cores_used', 'load')?.unit).toBe('cores');
    expect(m.get('gateway_cpu_us_per_event')).toBe(30);
    expect(m.get('upstream_cpu_us_per_event')).toBe(9);
    expect(m.get('driver_analysis_cpu_us_per_event')).toBe(6);
    for (const it of m.items.filter((i) => i.name.endsWith('_us_per_event'))) expect(it.unit).toBe('µs');
    // Waits over the same 500 ms: the gateway waited for a core half of it; the upstream's wait was not reported.
    expect(m.get('gateway_cpu_wait')).toBeCloseTo(0.5, 9);
    expect(m.get('driver_cpu_wait')).toBeCloseTo(0.1, 9);
    expect(m.get('upstream_cpu_wait')).toBeUndefined();
    expect(findMeasurementDef('gateway_cpu_wait', 'load')?.unit).toBe('fraction');
    expect(findMeasurementDef('proxy_cpu_wait', 'soak')).toBeDefined();
  });

  it('names the null proxy phase figures without repeating the prefix, and reports nothing without events', () => {
    expect(processFigureName('proxy_', 'proxy', 'cpu_us_per_event')).toBe('proxy_cpu_us_per_event');
    expect(processFigureName('proxy_', 'upstream', 'cpu_us_per_event')).toBe('proxy_upstream_cpu_us_per_event');
    expect(processFigureName('direct_', 'driver', 'cpu_us_per_event')).toBe('direct_driver_cpu_us_per_event');
    expect(processFigureName('proxy_', 'proxy', 'cpu_wait')).toBe('proxy_cpu_wait');
    const m = new MeasurementList();
    addCpuPerEvent(m, 'direct_', { cpuUs: { driver: 5 }, runWaitUs: { driver: 5 }, analysisCpuUs: 1, eventsDelivered: 0, windows: [] });
    expect(cpuWait({ runWaitUs: { driver: 5 }, windows: [] }, 'driver')).toBeNull();
    expect(m.items).toEqual([]);
  });

  it('catalogs every figure for load and soak runs, gated against a baseline as lower-is-better µs', () => {
    for (const name of [
      'gateway_cpu_us_per_event',
      'driver_cpu_us_per_event',
      'upstream_cpu_us_per_event',
      'direct_upstream_cpu_us_per_event',
      'proxy_cpu_us_per_event',
      'proxy_driver_cpu_us_per_event',
    ]) {
      const def = findMeasurementDef(name, 'load');
      expect(def, name).toBeDefined();
      expect(def?.unit).toBe('µs');
      expect(def?.better).toBe('lower');
      expect(def?.baseline).toBe(true);
      expect(findMeasurementDef(name, 'soak'), name).toBeDefined();
    }
    expect(findMeasurementDef('added_over_proxy_ttft_p50_ms', 'load')?.better).toBe('lower');
    expect(findMeasurementDef('added_hop_ttft_p99_ms', 'load')).toBeDefined();
    expect(findMeasurementDef('calibration_error_ms', 'load')).toBeDefined();
  });

  it('reads each process at both ends of a real phase, and counts every event delivered (warm-up included)', async () => {
    const inputs = loadInputs('cpu.yaml', [], { tokens: 5, gapMs: 0 });
    const replay = await startReplayUpstream();
    try {
      for (const { cassette, plan } of inputs) replay.bind(plan.slot, { cassette, chunks: cassette.response.chunks, speed: 0 });
      const sources = await directSources(inputs, replay.url, true);
      let fake = 1_000;
      const run = (maxDeferredBytes?: number) =>
        runPhase({
          label: 'cpu',
          origin: replay.url,
          sources,
          model: { type: 'closed', concurrency: 3, rampUpMs: 0 },
          bounds: { maxRequests: 12, maxDurationMs: 10_000, warmupRequests: 3, warmupMs: 0 },
          timeouts: { headersMs: 5_000, idleMs: 5_000, streamMs: 10_000 },
          stallMs: 5_000,
          onEnd: 'drain',
          drainMs: 5_000,
          driverLimits: { maxEventLoopDelayP99Ms: 10_000, maxEventLoopUtilization: 1 },
          // Each read of the fake process reports 2,500 µs more than the last.
          processes: { upstream: { pid: null, cpuUs: async () => (fake += 2_500) } },
          maxDeferredBytes,
        });
      const deferred = await run();
      const inPhase = await run(0);
      for (const p of [deferred, inPhase]) {
        expect(p.cpuUs['upstream']).toBe(2_500);
        expect(p.cpuUs['driver']).toBeGreaterThan(0);
        expect(p.stats.streams).toBe(9);
        expect(totalErrors(p.stats) + p.stats.frames.mismatchedStreams).toBe(0);
        // 12 streams delivered, 9 measured: events per stream × 12.
        expect(p.eventsDelivered).toBe((p.stats.events / 9) * 12);
      }
      // Deferred or not, the streams come out the same.
      expect(deferred.stats.events).toBe(inPhase.stats.events);
      expect(deferred.stats.tokens).toBe(inPhase.stats.tokens);
      expect(deferred.analysisCpuUs).toBeGreaterThan(0);
      const merged = mergePhases([deferred, inPhase]);
      expect(merged.cpuUs['upstream']).toBe(5_000);
      expect(merged.eventsDelivered).toBe(deferred.eventsDelivered + inPhase.eventsDelivered);
      expect(merged.analysisCpuUs).toBe(deferred.analysisCpuUs + inPhase.analysisCpuUs);
    } finally {
      await replay.close();
    }
  });
});

describe('calibration verdict', () => {
  const base = { pairs: 50, delayMs: 3, toleranceMs: 1, plainP50Ms: 2.5, delayedP50Ms: 5.9, ciHalfWidthMs: 0.3 };

  it('passes when the held requests show the delay as applied over their neighbours', () => {
    const v = judgeCalibration({ ...base, appliedP50Ms: 3.2, shiftMs: 3.4 });
    expect(v.measuredMs).toBeCloseTo(3.4, 9);
    expect(v.expectedMs).toBeCloseTo(3.2, 9);
    expect(v.errorMs).toBeCloseTo(0.2, 9);
    expect(v.check.ok).toBe(true);
    expect(v.check.message).toMatch(/median of 50 pairs\) 3\.400 ms \(95% interval ±0\.300 ms\)/);
    expect(v.check.message).toMatch(/off by 0\.200 ms, tolerance ±1 ms/);
  });

  it('fails as too noisy to tell when the median shift is not known to within the tolerance, however close it lands', () => {
    const v = judgeCalibration({ ...base, appliedP50Ms: 3.2, shiftMs: 3.2, ciHalfWidthMs: 2.5 });
    expect(v.errorMs).toBe(0); // on target, by luck
    expect(v.check.ok).toBe(false);
    expect(v.check.message).toMatch(/too noisy to tell: .*±2\.500 ms \(95%\)/);
    // Exactly at the tolerance is still precise enough.
    expect(judgeCalibration({ ...base, appliedP50Ms: 3.2, shiftMs: 3.2, ciHalfWidthMs: 1 }).check.ok).toBe(true);
  });

  it('fails (invalid run) when the measured delay is off by more than the tolerance, either way', () => {
    expect(judgeCalibration({ ...base, appliedP50Ms: 3.2, shiftMs: 4.3 }).check.ok).toBe(false);
    const low = judgeCalibration({ ...base, appliedP50Ms: 3.2, shiftMs: 2.1 });
    expect(low.check.ok).toBe(false);
    expect(low.check.message).toMatch(/not valid/);
  });

  it('never passes when no pair was measured', () => {
    const v = judgeCalibration({ ...base, pairs: 0, shiftMs: 0, appliedP50Ms: 0, ciHalfWidthMs: Number.POSITIVE_INFINITY });
    expect(v.check.ok).toBe(false);
    expect(v.check.message).toMatch(/measured no pair/);
  });
});

describe('driver check and the cores the run took', () => {
  const cores = availableParallelism();
  const phase = (coresBusy: number, reasons: string[], driverWaitUs?: number) =>
    ({
      cpuUs: { driver: coresBusy * 500_000, upstream: coresBusy * 500_000 },
      runWaitUs: driverWaitUs === undefined ? {} : { driver: driverWaitUs },
      windows: [[0, 1_000]],
      health: {
        eventLoopDelayP99Ms: 20,
        eventLoopDelayMaxMs: 40,
        eventLoopUtilization: 0.6,
        cpu: 0.5,
        valid: reasons.length === 0,
        reasons,
      },
    }) as unknown as PhaseResult;

  it('says the processes queued for CPU when they kept the machine’s cores busy, and only then', () => {
    const full = driverCheck([['gateway phase', phase(cores, ['event-loop delay p99 20.0 ms > 10 ms'])]]);
    expect(full.ok).toBe(false);
    expect(full.message).toContain(`kept up to ${cores.toFixed(2)} of this machine's ${cores} cores busy: they queued for CPU`);
    expect(full.detail).toContain(`the phase's processes together ${cores.toFixed(2)} of ${cores} cores`);
    const light = driverCheck([['gateway phase', phase(0.2, ['event-loop delay p99 20.0 ms > 10 ms'])]]);
    expect(light.message).toMatch(/Lower the load or give the driver a core\.$/);
    expect(driverCheck([['gateway phase', phase(0.2, [])]]).ok).toBe(true);
  });

  it('says the driver waited for a core, not that it was busy, when it did while the run left cores free', () => {
    const starved = driverCheck([['gateway phase', phase(0.6, ['event-loop delay p99 20.0 ms > 10 ms'], 400_000)]]);
    expect(starved.ok).toBe(false);
    expect(starved.message).toContain('waited for a core 40% of a phase while the run');
    expect(starved.message).toContain("the figures hold that wait, which is not the gateway's doing");
    expect(starved.detail).toContain('waited for a core 40% of the time');
    // A short wait is not the story: the usual advice stands.
    const brief = driverCheck([['gateway phase', phase(0.6, ['event-loop delay p99 20.0 ms > 10 ms'], 20_000)]]);
    expect(brief.message).toMatch(/Lower the load or give the driver a core\.$/);
  });
});

describe('run-queue wait', () => {
  it('reads how long a process waited for a core: three busy processes pinned to one core each wait about two thirds of the time', async () => {
    // Linux only: where /proc/<pid>/schedstat is missing the figure is absent, and so is this check.
    if (runQueueWaitUs(process.pid) === null) return;
    const busy = () =>
      spawn('taskset', ['-c', '0', process.execPath, '-e', 'const end = Date.now() + 1500; while (Date.now() < end);'], {
        stdio: 'ignore',
      });
    const kids = [busy(), busy(), busy()];
    try {
      await new Promise((r) => setTimeout(r, 300)); // all started and sharing core 0
      const t0 = performance.now();
      const before = kids.map((k) => runQueueWaitUs(k.pid!)!);
      await new Promise((r) => setTimeout(r, 800));
      const after = kids.map((k) => runQueueWaitUs(k.pid!)!);
      const wallUs = (performance.now() - t0) * 1000;
      for (const [i, b] of before.entries()) {
        // Each runs a third of the time and waits two thirds (more if other work shares core 0):
        // over half tells the wait apart from the CPU time, the line's first field.
        const share = (after[i]! - b) / wallUs;
        expect(share, `process ${i}`).toBeGreaterThan(0.5);
        expect(share, `process ${i}`).toBeLessThan(1.05);
      }
    } finally {
      for (const k of kids) k.kill();
    }
  });
});
