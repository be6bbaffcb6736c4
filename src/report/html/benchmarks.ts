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
  const rows = (c.measurements ?? []).map((m) => [
    `<td><code>${esc(m.name)}</code></td>`,
    `<td class="n">${esc(num(m.value))}</td>`,
    `<td>${esc(m.unit)}</td>`,
    `<td>${m.threshold ? `${esc(m.threshold)} ${m.ok ? '<span class="pass">✓</span>' : '<span class="fail">✗</span>'}` : ''}</td>`,
  ]);
  return `<h3>${esc(s.name)}: ${esc(c.name)} ${statusSpan(c.status)}</h3><details${c.status === 'fail' ? ' open' : ''}><summary>${rows.length} measurements</summary>${table(['Measurement', 'Value', 'Unit', 'Threshold'], rows)}</details>`;
}
