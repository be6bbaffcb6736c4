// Baseline comparison: a run's measurements against an earlier summary.json, so CI can gate on
// performance without fixed numbers. A measurement regresses when it moved the wrong way by more
// than the tolerance (a fraction of the baseline value) and by more than its unit's noise floor.
// Only measurements the catalog marks as comparable are compared (max values, schedule noise and
// volumes are not), matched by scenario, case and measurement name.
import { UsageError } from '../base/errors.ts';
import { readFileSync } from 'node:fs';
import type { CaseResult, CheckResult, Measurement, RunSummary } from './result.ts';
import { findMeasurementDef, type BenchKind } from './measurement-catalog.ts';

export const DEFAULT_TOLERANCE = 0.2;

/** Changes smaller than these never count: timer jitter, GC noise. */
export const NOISE_FLOOR: Record<string, number> = { ms: 0.25, µs: 0.5, ns: 50, MB: 0.5 };

export interface Regression {
  scenario: string;
  case: string;
  measurement: string;
  unit: string;
  baseline: number;
  current: number;
  /** Signed relative change, current/baseline − 1 (Infinity from a zero baseline). */
  change: number;
}

export interface BaselineComparison {
  tolerance: number;
  compared: number;
  regressions: Regression[];
  /** Comparable measurements this run made that the baseline lacks (new, not compared). */
  unmatched: number;
}

/** "20%", "0.2" or "20" (percent when > 1) → 0.2. */
export function parseTolerance(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$/.exec(text);
  if (!m) throw new UsageError(`--baseline-tolerance must be a percentage like 20% or a fraction like 0.2, got ${JSON.stringify(text)}`);
  const n = Number(m[1]);
  const fraction = m[2] === '%' || n > 1 ? n / 100 : n;
  if (fraction > 10) throw new UsageError(`--baseline-tolerance ${text} is above 1000%`);
  return fraction;
}

export function loadBaselineSummary(file: string): RunSummary {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(
      `--baseline ${file}: cannot read a summary.json (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  const s = parsed as Partial<RunSummary>;
  if (!s || typeof s !== 'object' || !Array.isArray(s.scenarios))
    throw new UsageError(`--baseline ${file}: not a streamproof summary.json (no scenarios)`);
  return s as RunSummary;
}

const key = (scenario: string, c: string, m: string) => `${scenario}\u0000${c}\u0000${m}`;

export function isRegression(
  m: Pick<Measurement, 'value' | 'unit' | 'repeat'>,
  baseline: number | Pick<Measurement, 'value' | 'repeat'>,
  better: 'lower' | 'higher',
  tolerance: number,
): boolean {
  const b = typeof baseline === 'number' ? { value: baseline } : baseline;
  const delta = better === 'lower' ? m.value - b.value : b.value - m.value;
  const floor = NOISE_FLOOR[m.unit] ?? 0;
  if (!(delta > Math.abs(b.value) * tolerance && delta > floor)) return false;
  // Means of repeated runs (`repeat: N`): a move the 95% intervals cannot tell from noise (they
  // overlap) is not a regression. A side without an interval counts as its single value.
  if (!m.repeat && !b.repeat) return true;
  const low = (x: typeof b) => x.repeat?.ciLow ?? x.value;
  const high = (x: typeof b) => x.repeat?.ciHigh ?? x.value;
  return better === 'lower' ? low(m) > high(b) : high(m) < low(b);
}

export function compareWithBaseline(current: RunSummary, baseline: RunSummary, tolerance = DEFAULT_TOLERANCE): BaselineComparison {
  const before = new Map<string, Measurement>();
  for (const s of baseline.scenarios)
    for (const c of s.cases) for (const m of c.measurements ?? []) before.set(key(s.name, c.name, m.name), m);
  const out: BaselineComparison = { tolerance, compared: 0, regressions: [], unmatched: 0 };
  for (const s of current.scenarios) {
    for (const c of s.cases) {
      for (const m of c.measurements ?? []) {
        const def = findMeasurementDef(m.name, s.kind as BenchKind);
        if (!def?.baseline || def.better === 'none') continue;
        const bm = before.get(key(s.name, c.name, m.name));
        if (bm === undefined) {
          out.unmatched++;
          continue;
        }
        out.compared++;
        const b = bm.value;
        if (isRegression(m, bm, def.better, tolerance)) {
          out.regressions.push({
            scenario: s.name,
            case: c.name,
            measurement: m.name,
            unit: m.unit,
            baseline: b,
            current: m.value,
            change: b === 0 ? Infinity : m.value / b - 1,
          });
        }
      }
    }
  }
  return out;
}

function describe(r: Regression): string {
  const change = Number.isFinite(r.change) ? `${r.change >= 0 ? '+' : ''}${(r.change * 100).toFixed(1)}%` : 'from 0';
  return `${r.measurement}: ${r.current} ${r.unit} vs baseline ${r.baseline} ${r.unit} (${change})`;
}

/**
 * The summary with a `baseline` check on every case that had comparable measurements (failed
 * when one regressed), and statuses and totals recomputed.
 */
export function applyBaseline(summary: RunSummary, comparison: BaselineComparison, baselineLabel: string): RunSummary {
  const tol = `${(comparison.tolerance * 100).toFixed(0)}%`;
  const scenarios = summary.scenarios.map((s) => {
    const cases = s.cases.map((c): CaseResult => {
      if (!(c.measurements ?? []).length) return c;
      const mine = comparison.regressions.filter((r) => r.scenario === s.name && r.case === c.name);
      const check: CheckResult =
        mine.length === 0
          ? { name: 'baseline', ok: true, message: `no regression beyond ${tol} against ${baselineLabel}` }
          : {
              name: 'baseline',
              ok: false,
              message: `${mine.length} measurement(s) regressed beyond ${tol} against ${baselineLabel}: ${describe(mine[0]!)}`,
              detail: mine.map(describe).join('\n'),
            };
      const checks = [...c.checks, check];
      return { ...c, checks, status: checks.every((k) => k.ok) ? 'pass' : 'fail' };
    });
    return { ...s, cases, status: cases.every((c) => c.status === 'pass') ? ('pass' as const) : ('fail' as const) };
  });
  const all = scenarios.flatMap((s) => s.cases);
  const passed = all.filter((c) => c.status === 'pass').length;
  return {
    ...summary,
    scenarios,
    status: scenarios.every((s) => s.status === 'pass') ? 'pass' : 'fail',
    totals: { ...summary.totals, passed, failed: all.length - passed },
  };
}
