import type { CaseResult, ScenarioResult } from '../report/types.ts';

/** A scenario's result from its cases: it passes when every case did. */
export function scenarioResult(name: string, file: string, kind: string, startedMs: number, cases: CaseResult[]): ScenarioResult {
  return {
    name,
    file,
    kind,
    status: cases.every((c) => c.status === 'pass') ? 'pass' : 'fail',
    durationMs: performance.now() - startedMs,
    cases,
  };
}
