// Building a case's measurements and checking its thresholds: each threshold becomes a check
// (named threshold:<measurement>), and the measurement carries its threshold and verdict.
import type { CheckResult, Measurement } from '../checks/result.ts';
import { unitOf } from '../checks/measurement-catalog.ts';
import { holds, parseThreshold, type Threshold } from '../checks/thresholds.ts';

export type Thresholds = Record<string, string>;

export class MeasurementList {
  readonly items: Measurement[] = [];
  add(name: string, value: number): void {
    // Figures are rounded for reports; sub-ms latencies keep µs resolution.
    this.items.push({ name, value: round(value), unit: unitOf(name) });
  }
  get(name: string): number | undefined {
    return this.items.find((m) => m.name === name)?.value;
  }
}

function round(v: number): number {
  if (!Number.isFinite(v)) return v;
  const abs = Math.abs(v);
  const digits = abs >= 1000 ? 0 : abs >= 1 ? 3 : 6;
  return Number(v.toFixed(digits));
}

/** Marks each thresholded measurement and returns one check per threshold. */
export function checkThresholds(measurements: Measurement[], thresholds: Thresholds): CheckResult[] {
  const checks: CheckResult[] = [];
  for (const [name, text] of Object.entries(thresholds)) {
    const t = parseThreshold(name, text) as Threshold; // validated when the scenario was loaded
    const m = measurements.find((x) => x.name === name);
    if (!m) {
      checks.push({ name: `threshold:${name}`, ok: false, message: `${name} was not measured in this run (target ${t.text})` });
      continue;
    }
    const ok = holds(t, m.value);
    m.threshold = t.text;
    m.target = { op: t.op, value: t.value };
    m.ok = ok;
    checks.push(
      ok
        ? { name: `threshold:${name}`, ok: true, message: `${name} = ${m.value} ${m.unit} (target ${t.text})` }
        : { name: `threshold:${name}`, ok: false, message: `${name} = ${m.value} ${m.unit}, target ${t.text}` },
    );
  }
  return checks;
}
