// The run's metadata: what was tested, by which command, on which machine, with which versions.
import type { RunSummary } from '../../checks/result.ts';
import { formatDuration } from '../format.ts';
import { esc } from './escape.ts';
import { statusSpan, table } from './page.ts';

export function metaSection(summary: RunSummary): string {
  const env = summary.environment;
  const t = summary.totals;
  const rows: Array<[string, string]> = [
    ['Status', statusSpan(summary.status)],
    ['Target', esc(summary.target)],
    ['Run', esc(summary.runId)],
    ['Started', esc(summary.startedAt)],
    ['Duration', esc(formatDuration(summary.durationMs))],
    [
      'Cases',
      esc(`${t.passed}/${t.cases} passed, ${t.failed} failed, ${t.scenarios} scenarios${t.skipped ? ` (${t.skipped} skipped)` : ''}`),
    ],
    ['Tool', esc(`${summary.tool.name} ${summary.tool.version}`)],
  ];
  if (summary.incomplete) rows.push(['Incomplete', `<span class="fail">${esc(summary.incomplete)}</span>`]);
  if (env) {
    rows.push(
      ['Command', `<code>${esc(env.command)}</code>`],
      ['Node', esc(env.node)],
      ['OS', esc(env.os)],
      ['CPU', esc(`${env.cores} cores, ${env.cpuModel}`)],
      ['Memory', esc(`${env.memoryGiB} GiB`)],
      ['Load average', esc(env.load.map((l) => l.toFixed(2)).join(' / '))],
    );
  }
  const scenarios = summary.scenarios.map((s) => [
    `<td>${esc(s.name)}</td>`,
    `<td>${esc(s.kind)}</td>`,
    `<td>${statusSpan(s.status)}</td>`,
    `<td class="n">${s.cases.length}</td>`,
    `<td class="n">${esc(formatDuration(s.durationMs))}</td>`,
    `<td><code>${esc(s.file)}</code></td>`,
  ]);
  return (
    `<table>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>` +
    '<h3>Scenarios</h3>' +
    table(['Scenario', 'Kind', 'Status', 'Cases', 'Duration', 'File'], scenarios)
  );
}
