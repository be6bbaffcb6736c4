// The fault matrix: every fault case against every check its scenario makes, each cell pass or
// fail (hover for the check's message).
import type { ScenarioResult } from '../../checks/result.ts';
import { esc } from './escape.ts';
import { statusSpan } from './page.ts';

export function faultSection(scenarios: readonly ScenarioResult[]): string {
  const parts: string[] = [];
  for (const s of scenarios) {
    parts.push(`<h3>${esc(s.name)} ${statusSpan(s.status)}</h3>`);
    if (s.status === 'skip') {
      parts.push(`<p class="muted">skipped: ${esc(s.skipped ?? '')}</p>`);
      continue;
    }
    const columns = [...new Set(s.cases.flatMap((c) => c.checks.map((k) => k.name)))];
    const head = `<tr><th>Case</th>${columns.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
    const rows = s.cases.map((c) => {
      const cells = columns.map((n) => {
        const k = c.checks.find((x) => x.name === n);
        if (!k) return '<td class="cell-none">–</td>';
        return `<td class="${k.ok ? 'cell-pass' : 'cell-fail'}" title="${esc(k.message ?? '')}">${k.ok ? '✓' : '✗'}</td>`;
      });
      return `<tr><td>${esc(c.name)}</td>${cells.join('')}</tr>`;
    });
    parts.push(`<table class="matrix" data-matrix="${esc(s.name)}"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`);
    const failures = s.cases.flatMap((c) =>
      c.checks.filter((k) => !k.ok).map((k) => `<li><b>${esc(c.name)}</b> · ${esc(k.name)}: ${esc(k.message ?? '')}</li>`),
    );
    if (failures.length) parts.push(`<ul>${failures.join('')}</ul>`);
  }
  return parts.join('');
}
