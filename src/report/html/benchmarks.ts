// Figures of the other benchmark cases (micro, soak, http-load, resilience): each gated figure with
// its target, then all of them.
import type { CaseResult, ScenarioResult } from '../../checks/result.ts';
import { esc, num } from './escape.ts';
import { statusSpan, table } from './page.ts';

export function benchmarkSection(scenarios: readonly ScenarioResult[]): string {
  const parts: string[] = [];
  for (const s of scenarios) {
    for (const c of s.cases) if (c.measurements?.length) parts.push(figures(s, c));
  }
  return parts.join('');
}

function figures(s: ScenarioResult, c: CaseResult): string {
  return `<h3>${esc(s.name)}: ${esc(c.name)} ${statusSpan(c.status)}</h3>${measurementTable(c, c.status === 'fail')}`;
}

/** Every figure of a case (with the 95% interval and the runs' values when it was repeated), folded. */
export function measurementTable(c: CaseResult, open: boolean): string {
  const all = c.measurements ?? [];
  const repeated = all.some((m) => m.repeat);
  const rows = all.map((m) => [
    `<td><code>${esc(m.name)}</code></td>`,
    `<td class="n">${esc(num(m.value))}</td>`,
    `<td>${esc(m.unit)}</td>`,
    ...(repeated
      ? [
          `<td class="n">${m.repeat ? esc(`${num(m.repeat.ciLow)} … ${num(m.repeat.ciHigh)}`) : ''}</td>`,
          `<td class="n">${m.repeat ? esc(m.repeat.values.map(num).join(', ')) : ''}</td>`,
        ]
      : []),
    `<td>${m.threshold ? `${esc(m.threshold)} ${m.ok ? '<span class="pass">✓</span>' : '<span class="fail">✗</span>'}` : ''}</td>`,
  ]);
  const head = ['Measurement', repeated ? 'Mean' : 'Value', 'Unit', ...(repeated ? ['95% interval', 'Runs'] : []), 'Threshold'];
  const n = all.find((m) => m.repeat)?.repeat?.n;
  return `<details${open ? ' open' : ''}><summary>${all.length} measurements${n ? ` (means of ${n} runs)` : ''}</summary>${table(head, rows)}</details>`;
}
