// Parity cases: pass/fail with each check, and for a byte mismatch both streams side by side
// from a shared prefix, the first differing byte marked on each side.
import type { ByteDiffExcerpt, CaseResult, CheckResult, ScenarioResult } from '../../checks/result.ts';
import { esc } from './escape.ts';
import { statusSpan, table } from './page.ts';

export function paritySection(scenarios: readonly ScenarioResult[]): string {
  const parts: string[] = [];
  for (const s of scenarios) {
    const failed = s.cases.filter((c) => c.status === 'fail');
    parts.push(
      `<h3>${esc(s.name)} ${statusSpan(s.status)} <span class="muted">${s.cases.length - failed.length}/${s.cases.length} cases passed</span></h3>`,
    );
    if (s.status === 'skip') parts.push(`<p class="muted">skipped: ${esc(s.skipped ?? '')}</p>`);
    for (const c of failed) parts.push(failedCase(c));
    if (s.cases.length) {
      parts.push(
        table(
          ['Case', 'Status', 'Checks'],
          s.cases.map((c) => [`<td>${esc(c.name)}</td>`, `<td>${statusSpan(c.status)}</td>`, `<td class="chips">${chips(c.checks)}</td>`]),
        ),
      );
    }
  }
  return parts.join('');
}

function chips(checks: readonly CheckResult[]): string {
  return checks
    .map((k) => `<span class="${k.ok ? 'ok' : 'bad'}" title="${esc(k.message ?? '')}">${k.ok ? '✓' : '✗'} ${esc(k.name)}</span>`)
    .join('');
}

function failedCase(c: CaseResult): string {
  const parts = [`<h4 class="fail" data-failed-case="${esc(c.name)}">✗ ${esc(c.name)}${c.file ? ` <code>${esc(c.file)}</code>` : ''}</h4>`];
  for (const k of c.checks.filter((x) => !x.ok)) {
    parts.push(`<p><b>${esc(k.name)}</b>: ${esc(k.message ?? 'failed')}</p>`);
    if (k.diff) parts.push(sideBySide(k.name, k.diff));
    else if (k.detail) parts.push(`<pre class="detail">${esc(k.detail)}</pre>`);
  }
  return parts.join('');
}

/** \r is shown (an SSE line ending is part of what differs); the marked character is never blank. */
function shown(s: string): string {
  return esc(s.replace(/\r/g, '␍'));
}

function side(label: string, bytes: number, d: ByteDiffExcerpt, tail: string): string {
  const first = Array.from(tail)[0] ?? '';
  const rest = tail.slice(first.length);
  const mark =
    first === '' ? '<mark>⟨end of stream⟩</mark>' : `<mark>${first === '\n' ? '↵\n' : first === ' ' ? '·' : shown(first)}</mark>`;
  const cut = d.offset + Buffer.byteLength(tail) < bytes ? '<span class="muted">…</span>' : '';
  return `<div><h4>${esc(label)} (${bytes} bytes)</h4><pre data-diff-side="${esc(label)}">${d.from > 0 ? '<span class="muted">…</span>' : ''}${shown(d.common)}${mark}<span class="after">${shown(rest)}</span>${cut}</pre></div>`;
}

export function sideBySide(check: string, d: ByteDiffExcerpt): string {
  return `<p class="muted">${esc(check)}: first difference at byte ${d.offset}; excerpt from byte ${d.from}.</p><div class="diff">${side('expected (golden)', d.expectedBytes, d, d.expected)}${side('actual (output)', d.actualBytes, d, d.actual)}</div>`;
}
