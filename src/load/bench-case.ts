// Assembles a benchmark case: its measurements, one check per threshold, and the run's own
// checks (driver validity, scope). Thresholds on figures a target cannot give (gateway memory of
// an external gateway) are reported as not applicable instead of failing.
import type { CaseResult, CheckResult } from '../checks/result.ts';
import { checkThresholds, type MeasurementList, type Thresholds } from './measurements.ts';

export interface BenchCaseInput {
  name: string;
  file?: string;
  startedMs: number;
  measurements: MeasurementList;
  thresholds: Thresholds;
  checks: CheckResult[];
  /** Returns why a threshold cannot apply to this target, or null. */
  notApplicable?: (measurement: string) => string | null;
}

export function benchCase(input: BenchCaseInput): CaseResult {
  const applicable: Thresholds = {};
  const skipped: CheckResult[] = [];
  for (const [name, text] of Object.entries(input.thresholds)) {
    const why = input.notApplicable?.(name) ?? null;
    if (why) skipped.push({ name: `threshold:${name}`, ok: true, message: `not checked (${text}): ${why}` });
    else applicable[name] = text;
  }
  const checks = [...input.checks, ...checkThresholds(input.measurements.items, applicable), ...skipped];
  const result: CaseResult = {
    name: input.name,
    status: checks.every((c) => c.ok) ? 'pass' : 'fail',
    durationMs: performance.now() - input.startedMs,
    checks,
    measurements: input.measurements.items,
  };
  if (input.file) result.file = input.file;
  return result;
}

// Benchmark kinds build their scenario results like every other kind.
export { scenarioResult as benchScenario } from '../checks/result.ts';

/** Measurements only the reference gateway's own process can give. */
export function gatewayInternal(name: string): boolean {
  return /^(gateway_|heap_|rss_|upstream_ahead_of_client)/.test(name);
}

/** The thresholds an external gateway cannot be held to: those on its process, which is not sampled. */
export function externalGatewayNotSampled(external: boolean): (measurement: string) => string | null {
  return (name) => (external && gatewayInternal(name) ? 'the gateway is external: its process is not sampled' : null);
}
