// Watches the load driver's own process while it runs: event-loop delay, event-loop utilisation
// and CPU. A driver that saturates stamps reads late and starts requests late, which would be
// reported as gateway latency; such a run is marked invalid instead.
import { monitorEventLoopDelay, performance, type EventLoopUtilization } from 'node:perf_hooks';

export interface DriverLimits {
  /** Event-loop delay p99 above this means reads were stamped late. */
  maxEventLoopDelayP99Ms: number;
  /** Fraction of the time the event loop was busy (0–1). */
  maxEventLoopUtilization: number;
}

export const DEFAULT_DRIVER_LIMITS: DriverLimits = { maxEventLoopDelayP99Ms: 50, maxEventLoopUtilization: 0.9 };

export interface DriverHealth {
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
  eventLoopUtilization: number;
  /** CPU time (user + system) / wall time: 1 = one core busy. */
  cpu: number;
  valid: boolean;
  /** Why the run is invalid (empty when valid). */
  reasons: string[];
}

const RESOLUTION_MS = 10;

export interface DriverMonitor {
  stop(): DriverHealth;
}

export function watchDriver(limits: DriverLimits): DriverMonitor {
  // 10 ms sampling: coarse enough to cost nothing, fine enough to see a stalled loop. Node
  // records the whole interval between samples, so the resolution is taken off again below.
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  const lateMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
  delay.enable();
  const elu0: EventLoopUtilization = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  return {
    stop() {
      delay.disable();
      const elu = performance.eventLoopUtilization(elu0);
      const cpu = process.cpuUsage(cpu0);
      const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
      const health = judge(
        {
          eventLoopDelayP99Ms: delay.count > 0 ? lateMs(delay.percentile(99)) : 0,
          eventLoopDelayMaxMs: delay.count > 0 ? lateMs(delay.max) : 0,
          eventLoopUtilization: elu.utilization,
          cpu: wallUs > 0 ? (cpu.user + cpu.system) / wallUs : 0,
        },
        limits,
      );
      return health;
    },
  };
}

export function judge(m: Omit<DriverHealth, 'valid' | 'reasons'>, limits: DriverLimits): DriverHealth {
  const reasons: string[] = [];
  if (m.eventLoopDelayP99Ms > limits.maxEventLoopDelayP99Ms) {
    reasons.push(`event-loop delay p99 ${m.eventLoopDelayP99Ms.toFixed(1)} ms > ${limits.maxEventLoopDelayP99Ms} ms`);
  }
  if (m.eventLoopUtilization > limits.maxEventLoopUtilization) {
    reasons.push(
      `event-loop utilisation ${(m.eventLoopUtilization * 100).toFixed(0)}% > ${(limits.maxEventLoopUtilization * 100).toFixed(0)}%`,
    );
  }
  return { ...m, valid: reasons.length === 0, reasons };
}
