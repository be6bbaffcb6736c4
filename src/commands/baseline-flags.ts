// `--baseline FILE [--baseline-tolerance P]` for the run and bench commands: loads and checks the
// flags before the run (bad input exits 2 before any traffic), then applies the comparison.
import { relative } from 'node:path';
import type { RunSummary } from '../checks/result.ts';
import { UsageError } from '../base/errors.ts';
import { applyBaseline, compareWithBaseline, DEFAULT_TOLERANCE, loadBaselineSummary, parseTolerance } from '../checks/baseline.ts';

export const BASELINE_USAGE = `  --baseline FILE    compare measurements with an earlier summary.json; a regression fails the run
  --baseline-tolerance P
                     how far a measurement may move the wrong way before it counts (default ${DEFAULT_TOLERANCE * 100}%)
  --baseline-strict  fail when no measurement of this run is in the baseline (default: a warning)`;

export interface BaselineRequest {
  file: string;
  baseline: RunSummary;
  tolerance: number;
  /** Nothing compared is a failure, not a warning. */
  strict?: boolean;
}

/** The baseline flags of run and bench, with the project config's values where a flag is absent. */
export function readBaselineFlags(
  flags: { baseline?: string | undefined; 'baseline-tolerance'?: string | undefined; 'baseline-strict'?: boolean | undefined },
  config: { baseline?: string | undefined; baselineTolerance?: string | undefined } | null,
): BaselineRequest | null {
  const file = flags.baseline ?? config?.baseline;
  const tolerance = flags['baseline-tolerance'] ?? config?.baselineTolerance;
  if (file === undefined) {
    if (tolerance !== undefined) throw new UsageError('--baseline-tolerance goes with --baseline');
    return null;
  }
  return {
    file,
    baseline: loadBaselineSummary(file),
    tolerance: tolerance === undefined ? DEFAULT_TOLERANCE : parseTolerance(tolerance),
    strict: flags['baseline-strict'] === true,
  };
}

/** The summary with baseline checks, and one line saying what the comparison found. */
export function withBaseline(summary: RunSummary, request: BaselineRequest | null): { summary: RunSummary; line: string | null } {
  if (!request) return { summary, line: null };
  const label = relative(process.cwd(), request.file) || request.file;
  const comparison = compareWithBaseline(summary, request.baseline, request.tolerance);
  let line =
    `baseline ${label}: ${comparison.compared} measurements compared (tolerance ${(request.tolerance * 100).toFixed(0)}%), ` +
    `${comparison.regressions.length} regressed${comparison.unmatched ? `, ${comparison.unmatched} not in the baseline` : ''}`;
  const applied = applyBaseline(summary, comparison, label);
  // A baseline that matches nothing gates nothing: most often its scenario names differ from this run's.
  if (comparison.compared === 0) {
    line += request.strict
      ? '\nFAIL: --baseline-strict and no measurement of this run is in the baseline (different scenario or case names?)'
      : '\nwarning: no measurement of this run is in the baseline (different scenario or case names?); --baseline-strict fails on this';
    if (request.strict) return { summary: { ...applied, status: 'fail' }, line };
  }
  return { summary: applied, line };
}
