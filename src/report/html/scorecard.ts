// The scorecard, when the summary has one: rendered from its data, whatever its depth (arrays of
// records as tables, records as key/value rows), so the report shows every field it carries.
import { esc, num } from './escape.ts';

export function scorecardSection(scorecard: unknown): string {
  return value(scorecard, 0);
}

function value(v: unknown, depth: number): string {
  if (v === null || v === undefined) return '<span class="muted">–</span>';
  if (typeof v === 'number') return esc(num(v));
  if (typeof v === 'boolean') return v ? '<span class="pass">✓ yes</span>' : '<span class="fail">✗ no</span>';
  if (typeof v === 'string')
    return /^(pass|met|ok)$/i.test(v)
      ? `<span class="pass">${esc(v)}</span>`
      : /^(fail|missed|not met)$/i.test(v)
        ? `<span class="fail">${esc(v)}</span>`
        : esc(v);
  if (depth > 6) return esc(JSON.stringify(v));
  if (Array.isArray(v)) {
    if (v.length && v.every((x) => x && typeof x === 'object' && !Array.isArray(x))) {
      const keys = [...new Set(v.flatMap((x) => Object.keys(x as object)))];
      const rows = v.map((x) => `<tr>${keys.map((k) => `<td>${value((x as Record<string, unknown>)[k], depth + 1)}</td>`).join('')}</tr>`);
      return `<table><thead><tr>${keys.map((k) => `<th>${esc(k)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
    }
    return v.map((x) => value(x, depth + 1)).join(', ');
  }
  const rows = Object.entries(v as Record<string, unknown>).map(([k, x]) => `<tr><th>${esc(k)}</th><td>${value(x, depth + 1)}</td></tr>`);
  return `<table>${rows.join('')}</table>`;
}
