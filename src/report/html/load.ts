// A load case: its latency distributions per phase on shared log axes (CDF and histogram), the
// gateway-added latency, and what happened over the run (driver counters, gateway process).
import type { LatencyDistribution, LoadDetail, LoadPhaseDetail } from '../../checks/load-detail.ts';
import type { CaseResult, ScenarioResult } from '../../checks/result.ts';
import { measurementTable } from './benchmarks.ts';
import { esc, num } from './escape.ts';
import { chartBox, statusSpan, table } from './page.ts';
import { barChart, formatMs, histogramChart, lineChart, trim, type LineSeries } from './svg.ts';

const PHASE_COLORS: Record<string, string> = { direct: '#2563eb', 'null-proxy': '#16a34a', gateway: '#ea580c' };
const OTHER_COLORS = ['#9333ea', '#0891b2', '#be123c', '#4d7c0f'];
const TIMINGS = [
  ['ttft', 'TTFT (time to first token)'],
  ['itl', 'ITL (gap between tokens)'],
  ['e2e', 'E2E (whole stream)'],
] as const;
/** A gap this long between two samples of a phase is a pause between rounds: the line breaks. */
const BREAK_S = 1;

export function colorOf(phase: string, index: number): string {
  return PHASE_COLORS[phase] ?? OTHER_COLORS[index % OTHER_COLORS.length]!;
}

/** Every load case that carries distributions, each with its own block. */
export function loadSection(scenarios: readonly ScenarioResult[]): string {
  const blocks: string[] = [];
  for (const s of scenarios) {
    for (const c of s.cases) if (c.load) blocks.push(loadCase(s, c, c.load));
  }
  return blocks.join('');
}

function loadCase(s: ScenarioResult, c: CaseResult, d: LoadDetail): string {
  const parts = [`<h3 data-load-case="${esc(c.name)}">${esc(s.name)}: ${esc(c.name)} ${statusSpan(c.status)}</h3>`];
  const scope = c.checks.find((k) => k.name === 'scope')?.message;
  if (scope) parts.push(`<p class="muted">${esc(scope)}</p>`);
  const runs = c.measurements?.find((m) => m.repeat)?.repeat?.n;
  if (runs) parts.push(`<p class="muted">Repeated ${runs} times: the figures are means (table below); the charts show the last run.</p>`);
  parts.push(percentileTable(d.phases));
  for (const [t, title] of TIMINGS) {
    const have = d.phases.filter((p) => (p.timings[t]?.count ?? 0) > 0);
    if (!have.length) continue;
    parts.push(
      `<div class="charts">${chartBox(`${title}: CDF`, cdf(t, have))}${chartBox(`${title}: histogram`, histogram(t, have))}</div>`,
    );
  }
  const added = addedSection(c, d.phases);
  if (added) parts.push('<h4>Gateway-added latency</h4>', added);
  parts.push('<h4>Over the run</h4>', `<div class="charts">${timeSeries(d)}</div>`);
  parts.push(measurementTable(c, false));
  const failed = c.checks.filter((k) => !k.ok);
  if (failed.length)
    parts.push(
      table(
        ['Failed check', 'Message'],
        failed.map((k) => [`<td>${esc(k.name)}</td>`, `<td>${esc(k.message ?? '')}</td>`]),
      ),
    );
  return parts.join('');
}

/** p50/p90/p99/p99.9/max of each phase and timing, read from the exported percentile points. */
function percentileTable(phases: readonly LoadPhaseDetail[]): string {
  const want = [50, 90, 99, 99.9, 100];
  const rows: string[][] = [];
  for (const [t] of TIMINGS) {
    for (const p of phases) {
      const dist = p.timings[t];
      if (!dist || dist.count === 0) continue;
      rows.push([
        `<td>${t.toUpperCase()}</td>`,
        `<td>${esc(p.phase)}</td>`,
        `<td class="n">${dist.count}</td>`,
        ...want.map((w) => `<td class="n">${esc(formatMs(at(dist, w)))}</td>`),
      ]);
    }
  }
  return table(['Timing', 'Phase', 'Count', 'p50', 'p90', 'p99', 'p99.9', 'max'], rows);
}

/** The value at percentile p (the first exported point at or above it). */
export function at(d: LatencyDistribution, p: number): number {
  return (d.percentiles.find(([q]) => q >= p - 1e-9) ?? d.percentiles[d.percentiles.length - 1])?.[1] ?? 0;
}

function cdf(t: string, phases: readonly LoadPhaseDetail[]): string {
  const series: LineSeries[] = phases.map((p, i) => ({
    label: p.phase,
    color: colorOf(p.phase, i),
    points: p.timings[t as 'ttft']!.percentiles.map(([q, ms]) => [ms, q] as const),
  }));
  return lineChart({
    kind: `cdf-${t}`,
    title: `${t} CDF`,
    x: { label: `${t.toUpperCase()} (log scale)`, log: true, format: formatMs },
    y: { label: 'percentile', min: 0, max: 100 },
    series,
  });
}

function histogram(t: string, phases: readonly LoadPhaseDetail[]): string {
  const zeros = phases
    .filter((p) => (p.timings[t as 'ttft']!.zeros ?? 0) > 0)
    .map((p) => `${p.phase}: ${trim((p.timings[t as 'ttft']!.zeros! / p.timings[t as 'ttft']!.count) * 100)}% are 0 (in one read)`);
  const note = zeros.length ? `<p class="muted">Not on the log axis: ${esc(zeros.join('; '))}.</p>` : '';
  return (
    note +
    histogramChart({
      kind: `hist-${t}`,
      title: `${t} histogram`,
      x: { label: `${t.toUpperCase()} (log scale, 10 bins a decade)`, log: true, format: formatMs },
      y: { label: '% of samples', format: (v) => `${trim(v)}%` },
      series: phases.map((p, i) => {
        const d = p.timings[t as 'ttft']!;
        return { label: p.phase, color: colorOf(p.phase, i), bins: d.bins.map(([lo, hi, n]) => [lo, hi, (n / d.count) * 100] as const) };
      }),
    })
  );
}

/** Bars of the added_* measurements, and the gateway − direct curve at every exported percentile. */
function addedSection(c: CaseResult, phases: readonly LoadPhaseDetail[]): string | null {
  const added = (c.measurements ?? []).filter((m) => /^added_(ttft|itl|e2e)_(p50|p90|p99)_ms$/.test(m.name));
  const direct = phases.find((p) => p.phase === 'direct');
  const gateway = phases.find((p) => p.phase === 'gateway');
  if (!added.length && !(direct && gateway)) return null;
  const boxes: string[] = [];
  if (added.length) {
    const colors: Record<string, string> = { ttft: '#2563eb', itl: '#16a34a', e2e: '#ea580c' };
    boxes.push(
      chartBox(
        'added_* measurements (gateway − direct, same percentile)',
        barChart({
          kind: 'added-bars',
          title: 'gateway-added latency by percentile',
          x: { label: 'added latency', format: formatMs },
          rows: added.map((m) => ({
            label: m.name.replace(/^added_|_ms$/g, ''),
            value: m.value,
            color: colors[m.name.split('_')[1]!] ?? '#555',
          })),
        }),
      ),
    );
  }
  if (direct && gateway) {
    const series: LineSeries[] = [];
    for (const [t] of TIMINGS) {
      const g = gateway.timings[t];
      const d = direct.timings[t];
      if (!g?.count || !d?.count) continue;
      const points = g.percentiles.filter(([q]) => q > 0 && q < 100).map(([q]) => [tailX(q), at(g, q) - at(d, q)] as const);
      series.push({ label: t.toUpperCase(), color: { ttft: '#2563eb', itl: '#16a34a', e2e: '#ea580c' }[t], points });
    }
    boxes.push(
      chartBox(
        'Added latency at every percentile (gateway − direct)',
        lineChart({
          kind: 'added-curve',
          title: 'added latency by percentile',
          x: { label: 'percentile (tail to the right: log scale of 1/(1 − p))', log: true, min: 1, max: 100_000, format: tailLabel },
          y: { label: 'gateway − direct', format: formatMs },
          series,
        }),
      ),
    );
  }
  const rows = added.map((m) => [
    `<td><code>${esc(m.name)}</code></td>`,
    `<td class="n">${esc(num(m.value))} ${esc(m.unit)}</td>`,
    `<td>${m.threshold ? esc(m.threshold) : ''}</td>`,
  ]);
  return `<div class="charts">${boxes.join('')}</div>${rows.length ? table(['Measurement', 'Value', 'Threshold'], rows) : ''}`;
}

/** Percentile p on a "nines" axis: p50 → 2, p90 → 10, p99 → 100. */
function tailX(p: number): number {
  return 1 / (1 - p / 100);
}

function tailLabel(x: number): string {
  return `p${Number((100 * (1 - 1 / x)).toPrecision(6))}`;
}

function withBreaks(t: readonly number[], v: readonly number[]): Array<readonly [number, number]> {
  const out: Array<readonly [number, number]> = [];
  for (let i = 0; i < t.length; i++) {
    if (i > 0 && t[i]! - t[i - 1]! > BREAK_S) out.push([t[i]!, Number.NaN]);
    out.push([t[i]!, v[i]!]);
  }
  return out;
}

function timeSeries(d: LoadDetail): string {
  const phaseChart = (kind: string, title: string, yLabel: string, pick: (p: LoadPhaseDetail) => number[]) =>
    chartBox(
      title,
      lineChart({
        kind,
        title,
        x: { label: 'seconds since the first phase started', min: 0 },
        y: { label: yLabel, min: 0 },
        series: d.phases.map((p, i) => ({ label: p.phase, color: colorOf(p.phase, i), points: withBreaks(p.series.t, pick(p)) })),
      }),
    );
  const boxes = [
    phaseChart('ts-events', 'Events/s (of completed streams)', 'events/s', (p) => p.series.eventsPerS),
    phaseChart('ts-open', 'Open streams', 'streams', (p) => p.series.openStreams),
    phaseChart('ts-errors', 'Errors (cumulative, per round)', 'failed streams', (p) => p.series.errors),
  ];
  const g = d.gateway;
  if (g?.t.length) {
    boxes.push(
      chartBox(
        'Gateway memory',
        lineChart({
          kind: 'ts-memory',
          title: 'gateway RSS and heap',
          x: { label: 'seconds since the first phase started', min: 0 },
          y: { label: 'MB', min: 0 },
          series: [
            { label: 'RSS', color: '#9333ea', points: withBreaks(g.t, g.rssMb) },
            { label: 'heap used', color: '#0891b2', points: withBreaks(g.t, g.heapMb), dashed: true },
          ],
        }),
      ),
      chartBox(
        'Gateway CPU',
        lineChart({
          kind: 'ts-cpu',
          title: 'gateway CPU',
          x: { label: 'seconds since the first phase started', min: 0 },
          y: { label: 'cores (1 = one core busy)', min: 0 },
          series: [{ label: 'CPU', color: '#be123c', points: withBreaks(g.t, g.cpu) }],
        }),
      ),
    );
  } else {
    boxes.push('<p class="muted">No gateway process samples (an external gateway is not sampled).</p>');
  }
  return boxes.join('');
}
