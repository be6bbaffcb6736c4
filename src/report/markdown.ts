// The Markdown report: summary.md, written to be pasted as a pull-request comment (GitHub
// Flavored Markdown). A pure function of the RunSummary, so the same run renders identically.

import type { CaseResult, RunSummary, ScenarioResult } from '../checks/result.ts';
import { failedChecks, formatDuration, normalizeNewlines, plural, visibleControls, wholeMs } from './format.ts';
import { targetRatio } from '../checks/thresholds.ts';

const PASS = '✅';
const FAIL = '❌';
const SKIP = '⏭️';

// Punctuation that could start emphasis, links, code, HTML, entities, strikethrough, math or
// end a table cell. A backslash escape is valid before any ASCII punctuation in CommonMark.
const MD_SPECIAL = /[\\`*_[\]<>|~&$]/g;

/** Plain text as inline Markdown: specials escaped, line breaks as `<br>` (safe in table cells). */
export function mdText(s: string): string {
  return normalizeNewlines(visibleControls(s)).replace(MD_SPECIAL, '\\$&').replace(/\n/g, '<br>');
}

/**
 * Text as a code span, with a backtick run longer than any inside it. In a table cell `|` must
 * still be written `\|` (GFM splits cells before parsing code spans, and removes the backslash).
 */
export function mdCode(s: string, inTable = false): string {
  let text = normalizeNewlines(visibleControls(s)).replace(/\n/g, ' ');
  if (text === '') return '_(empty)_';
  if (inTable) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  // A span that starts or ends with a backtick needs padding; one space each side is stripped.
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${ticks}${pad}${text}${pad}${ticks}`;
}

/** A fenced code block whose fence is longer than any backtick run in the content. */
export function mdFence(content: string, info = 'text'): string {
  const text = normalizeNewlines(visibleControls(content)).replace(/\n+$/, '');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

function statusIcon(status: 'pass' | 'fail' | 'skip'): string {
  return status === 'pass' ? PASS : status === 'skip' ? SKIP : FAIL;
}

function statusWord(status: 'pass' | 'fail'): string {
  return status === 'pass' ? 'PASS' : 'FAIL';
}

function scenarioSection(s: ScenarioResult): string[] {
  if (s.status === 'skip') {
    return [`### ${SKIP} ${mdText(s.name)}`, '', `${mdCode(s.file)} · ${mdText(s.kind)} · skipped: ${mdText(s.skipped ?? 'not run')}`, ''];
  }
  const failed = s.cases.filter((c) => c.status === 'fail').length;
  const lines = [
    `### ${statusIcon(s.status)} ${mdText(s.name)}`,
    '',
    `${mdCode(s.file)} · ${mdText(s.kind)} · ${formatDuration(s.durationMs)} · ` +
      `${s.cases.length - failed}/${s.cases.length} cases passed`,
    '',
  ];
  if (s.cases.length === 0) {
    lines.push('_No cases._', '');
    return lines;
  }
  lines.push('| Case | Status | Duration (ms) | Failed checks |', '| --- | --- | ---: | --- |');
  for (const c of s.cases) {
    const failedNames = failedChecks(c).map((ch) => mdCode(ch.name, true));
    const failedCell = failedNames.length > 0 ? failedNames.join(', ') : c.status === 'fail' ? '—' : '';
    lines.push(`| ${mdText(c.name)} | ${statusIcon(c.status)} ${c.status} | ${wholeMs(c.durationMs)} | ${failedCell} |`);
  }
  lines.push('');
  return lines;
}

/** A benchmark case's figures: the gated ones with target and measured/target, then all of them. */
function measurementSection(c: CaseResult): string[] {
  const all = c.measurements ?? [];
  const gated = all.filter((m) => m.threshold !== undefined);
  const value = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6))));
  const lines = [`### ${mdText(c.name)}`, ''];
  if (gated.length > 0) {
    lines.push('| Measurement | Measured | Target | Measured / target | |', '| --- | ---: | --- | ---: | --- |');
    for (const m of gated) {
      const ratio = m.target ? targetRatio(m.target, m.value) : null;
      lines.push(
        `| ${mdCode(m.name, true)} | ${value(m.value)} ${mdText(m.unit)} | ${mdText(m.threshold!)} | ${ratio === null ? '—' : ratio.toFixed(3)} | ${m.ok ? PASS : FAIL} |`,
      );
    }
    lines.push('');
  }
  lines.push(`<details><summary>All ${all.length} measurements</summary>`, '', '| Measurement | Value | Unit |', '| --- | ---: | --- |');
  for (const m of all) lines.push(`| ${mdCode(m.name, true)} | ${value(m.value)} | ${mdText(m.unit)} |`);
  lines.push('', '</details>', '');
  return lines;
}

function failureEntries(s: ScenarioResult, c: CaseResult): string[] {
  const facts = [`- **Scenario:** ${mdText(s.name)}`];
  const file = c.file ?? s.file;
  if (file) facts.push(`- **File:** ${mdCode(file)}`);

  const checks = failedChecks(c);
  if (checks.length === 0) {
    // Marked failed with no failing check: still listed, so a failure is never silent.
    return [`### ${mdText(c.name)}`, '', ...facts, '- **Message:** case failed without a failed check', ''];
  }
  const out: string[] = [];
  for (const ch of checks) {
    out.push(`### ${mdText(c.name)} — ${mdCode(ch.name)}`, '', ...facts);
    out.push(`- **Message:** ${ch.message ? mdText(ch.message) : '_(no message)_'}`, '');
    if (ch.detail !== undefined && ch.detail !== '') out.push(mdFence(ch.detail), '');
  }
  return out;
}

const CELL: Record<string, string> = { pass: `${PASS} pass`, fail: `${FAIL} fail`, 'not routed': '➖ not routed' };

/** The level, the scorecard of an external target, and every check the level ran with its counts. */
function conformanceSections(summary: RunSummary): string[] {
  const lines: string[] = [];
  const card = summary.scorecard;
  if (card) {
    lines.push('## Scorecard', '', `**${mdText(card.line)}**`, '');
    lines.push(`| Provider | ${card.capabilities.map(mdText).join(' | ')} |`, `| --- |${' --- |'.repeat(card.capabilities.length)}`);
    for (const [provider, row] of Object.entries(card.rows)) {
      lines.push(`| ${mdText(provider)} | ${card.capabilities.map((cap) => (row[cap] ? CELL[row[cap]] : '')).join(' | ')} |`);
    }
    lines.push('');
  }
  const counts = new Map<string, { pass: number; fail: number; note: number }>();
  for (const c of summary.scenarios.flatMap((s) => s.cases)) {
    if (c.level === undefined) continue;
    for (const ch of c.checks) {
      const n = counts.get(ch.name) ?? { pass: 0, fail: 0, note: 0 };
      if (ch.note) n.note++;
      else if (ch.ok) n.pass++;
      else n.fail++;
      counts.set(ch.name, n);
    }
  }
  if (counts.size > 0) {
    lines.push(
      `## Checks run at level ${mdCode(summary.level ?? 'exact')}`,
      '',
      '| Check | Passed | Failed | Notes |',
      '| --- | ---: | ---: | ---: |',
    );
    for (const [name, n] of counts) lines.push(`| ${mdCode(name, true)} | ${n.pass} | ${n.fail} | ${n.note} |`);
    lines.push('');
  }
  return lines;
}

/** summary.md: title and totals, a table per scenario, then every failure and every mask. */
export function renderMarkdown(summary: RunSummary): string {
  const t = summary.totals;
  const lines: string[] = [
    `## ${statusIcon(summary.status)} streamproof ${statusWord(summary.status)} — ` +
      `${t.passed}/${t.cases} cases passed, ${t.failed} failed, ${plural(t.scenarios, 'scenario')}` +
      `${t.skipped ? ` (${t.skipped} skipped)` : ''}`,
    '',
    `**Target:** ${mdCode(summary.target)} · **Run:** ${mdCode(summary.runId)} · ` +
      `**Duration:** ${formatDuration(summary.durationMs)} · ` +
      `**Tool:** ${mdText(summary.tool.name)} ${mdText(summary.tool.version)}` +
      `${summary.level ? ` · **Level:** ${mdCode(summary.level)}` : ''}`,
    '',
  ];

  if (summary.incomplete) lines.push(`> **Incomplete run:** ${mdText(summary.incomplete)}`, '');
  lines.push(...conformanceSections(summary));
  for (const s of summary.scenarios) lines.push(...scenarioSection(s));

  const measured = summary.scenarios.flatMap((s) =>
    s.cases.filter((c) => (c.measurements ?? []).length > 0).map((c) => measurementSection(c)),
  );
  if (measured.length > 0) lines.push('## Measurements', '', ...measured.flat());

  const failures: string[] = [];
  for (const s of summary.scenarios) {
    for (const c of s.cases) {
      if (c.status === 'fail' || failedChecks(c).length > 0) failures.push(...failureEntries(s, c));
    }
  }
  if (failures.length > 0) lines.push('## Failures', '', ...failures);

  const masks: string[] = [];
  for (const s of summary.scenarios) {
    for (const c of s.cases) {
      if (c.masks && c.masks.length > 0) {
        masks.push(`- **${mdText(c.name)}** (${mdText(s.name)}): ${c.masks.map((m) => mdCode(m)).join(', ')}`);
      }
    }
  }
  if (masks.length > 0) lines.push('## Masks applied', '', ...masks, '');

  const notes = summary.scenarios.flatMap((s) =>
    s.cases.flatMap((c) =>
      c.checks.filter((ch) => ch.note).map((ch) => `- **${mdText(c.name)}** ${mdCode(ch.name)}: ${mdText(ch.message ?? '')}`),
    ),
  );
  if (notes.length > 0) lines.push('## Notes (reported, not failing)', '', ...notes, '');

  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
