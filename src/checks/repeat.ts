// A scenario run N times (`repeat: N`): each figure becomes the mean of its N values with a 95%
// confidence interval of the mean (Student's t, N − 1 degrees of freedom), thresholds are held
// against the mean, and a check that failed in any run fails the result, naming the run.
import type { CaseResult, CheckResult, Measurement, RepeatStats, ScenarioResult } from './result.ts';
import { holds } from './thresholds.ts';

/** Two-sided 95% quantiles of Student's t (0.975 one-sided) for 1–30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086,
  2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];
/** Beyond the table: 40, 60, 120 degrees of freedom, then the normal quantile. */
const T975_TAIL: ReadonlyArray<readonly [number, number]> = [
  [40, 2.021],
  [60, 2.0],
  [120, 1.98],
];

/** t such that P(−t < T < t) = 0.95 for T with `df` degrees of freedom (interpolated in 1/df past 30). */
export function tQuantile95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= 30) return T975[df - 1]!;
  const points: Array<readonly [number, number]> = [[30, T975[29]!], ...T975_TAIL, [Number.POSITIVE_INFINITY, 1.96]];
  for (let i = 1; i < points.length; i++) {
    const [d1, t1] = points[i]!;
    if (df > d1) continue;
    const [d0, t0] = points[i - 1]!;
    // Linear in 1/df, which is how the quantile approaches the normal one.
    const w = (1 / d0 - 1 / df) / (1 / d0 - 1 / d1);
    return t0 + w * (t1 - t0);
  }
  return 1.96;
}

/** Mean, sample standard deviation and the 95% interval of the mean of `values` (at least two). */
export function meanWithInterval(values: readonly number[]): { mean: number; stats: RepeatStats } {
  const n = values.length;
  if (n < 2) throw new RangeError('an interval needs at least two values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const stddev = Math.sqrt(variance);
  const half = (tQuantile95(n - 1) * stddev) / Math.sqrt(n);
  const r = (v: number) => Number(v.toPrecision(9));
  return { mean: r(mean), stats: { n, values: [...values], stddev: r(stddev), ciLow: r(mean - half), ciHigh: r(mean + half) } };
}

/** A figure's N values as one measurement: the mean, its interval, and its threshold held against the mean. */
function meanMeasurement(runs: readonly Measurement[]): Measurement {
  const first = runs[0]!;
  const { mean, stats } = meanWithInterval(runs.map((m) => m.value));
  const out: Measurement = { name: first.name, value: mean, unit: first.unit, repeat: stats };
  if (first.target) {
    out.threshold = first.threshold!;
    out.target = first.target;
    out.ok = holds(first.target, mean);
  }
  return out;
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** One case from its N runs (matched by name; figures every run measured). */
export function repeatedCase(runs: readonly CaseResult[]): CaseResult {
  const last = runs[runs.length - 1]!;
  if (runs.length < 2) return last;
  const n = runs.length;
  const measurements = (runs[0]!.measurements ?? [])
    .map((m) => runs.map((r) => r.measurements?.find((x) => x.name === m.name)))
    .filter((ms): ms is Measurement[] => ms.every((x) => x !== undefined))
    .map(meanMeasurement);
  const byName = new Map(measurements.map((m) => [m.name, m]));
  const checks: CheckResult[] = last.checks.map((check) => {
    const m = check.name.startsWith('threshold:') ? byName.get(check.name.slice('threshold:'.length)) : undefined;
    if (m?.target && !check.message?.startsWith('not checked')) {
      const range = `mean of ${n} runs, 95% interval ${fmt(m.repeat!.ciLow)} … ${fmt(m.repeat!.ciHigh)}`;
      return m.ok
        ? { name: check.name, ok: true, message: `${m.name} = ${fmt(m.value)} ${m.unit} (${range}; target ${m.threshold})` }
        : { name: check.name, ok: false, message: `${m.name} = ${fmt(m.value)} ${m.unit} (${range}), target ${m.threshold}` };
    }
    // Any other check holds only when it held in every run.
    const failedIn = runs.map((r, i) => [i + 1, r.checks.find((c) => c.name === check.name)] as const).filter(([, c]) => c && !c.ok);
    if (failedIn.length === 0) return check;
    const [i, c] = failedIn[0]!;
    return {
      ...c!,
      message: `run ${i}/${n}: ${c!.message ?? 'failed'}${failedIn.length > 1 ? ` (failed in ${failedIn.length} of ${n} runs)` : ''}`,
    };
  });
  checks.unshift({
    name: 'repeat',
    ok: true,
    message: `${n} runs: each figure is their mean with a 95% confidence interval (t-distribution)`,
  });
  const out: CaseResult = {
    ...last,
    status: checks.every((c) => c.ok) ? 'pass' : 'fail',
    durationMs: runs.reduce((a, r) => a + r.durationMs, 0),
    checks,
    measurements,
  };
  return out;
}

/** A scenario's N results as one: each case combined across runs, durations added. */
export function repeatedScenario(runs: readonly ScenarioResult[]): ScenarioResult {
  const last = runs[runs.length - 1]!;
  if (runs.length < 2) return last;
  const cases = last.cases.map((c) => repeatedCase(runs.map((r) => r.cases.find((x) => x.name === c.name)).filter((x) => x !== undefined)));
  return {
    ...last,
    status: cases.every((c) => c.status === 'pass') ? 'pass' : 'fail',
    durationMs: runs.reduce((a, r) => a + r.durationMs, 0),
    cases,
  };
}
