// A sweep's latency against load: TTFT and E2E percentiles per step (log latency axis), the knee
// marked by the knee case's message; every step's figures stay in the benchmark tables.
import type { CaseResult, ScenarioResult } from '../../checks/result.ts';
import { esc } from './escape.ts';
import { formatMs, lineChart, type LineSeries } from './svg.ts';

const CURVES: ReadonlyArray<readonly [string, string, boolean]> = [
  ['ttft_p50_ms', '#2563eb', false],
  ['ttft_p99_ms', '#2563eb', true],
  ['e2e_p50_ms', '#ea580c', false],
  ['e2e_p99_ms', '#ea580c', true],
];

const figure = (c: CaseResult, name: string) => c.measurements?.find((m) => m.name === name)?.value;

/** The step's load (rate or concurrency), or undefined for a case that is not a sweep step. */
function stepOf(c: CaseResult): { value: number; unit: string } | undefined {
  const rate = figure(c, 'step_rate');
  if (rate !== undefined) return { value: rate, unit: 'req/s' };
  const concurrency = figure(c, 'step_concurrency');
  return concurrency === undefined ? undefined : { value: concurrency, unit: 'streams' };
}

export function isSweep(s: ScenarioResult): boolean {
  return s.cases.some((c) => stepOf(c) !== undefined);
}

export function sweepSection(scenarios: readonly ScenarioResult[]): string {
  return scenarios.filter(isSweep).map(sweepChart).join('');
}

function sweepChart(s: ScenarioResult): string {
  const steps = s.cases.flatMap((c) => {
    const step = stepOf(c);
    return step ? [{ c, ...step }] : [];
  });
  const unit = steps[0]?.unit ?? '';
  const series: LineSeries[] = CURVES.map(([name, color, dashed]) => ({
    label: name.replace(/_ms$/, ''),
    color,
    dashed,
    points: steps.map((st) => [st.value, figure(st.c, name) ?? Number.NaN] as const),
  }));
  const knee = s.cases.flatMap((c) => c.checks.filter((k) => k.name === 'knee' && k.message).map((k) => k.message!))[0];
  const chart = lineChart({
    kind: 'sweep',
    title: `${s.name}: latency against load`,
    x: { label: `load (${unit})`, log: true },
    y: { label: 'latency (log scale)', log: true, format: formatMs },
    series,
  });
  return `<h3>${esc(s.name)}: latency against load</h3>${knee ? `<p>${esc(knee)}</p>` : ''}${chart}`;
}
