// What the CLI prints when a run ends: a line per scenario and per case, the failed checks'
// messages under failing cases, the totals, and where the reports went.

import type { CaseResult, RunSummary } from '../checks/result.ts';
import { failedChecks, formatDuration, normalizeNewlines, plural, visibleControls, wholeMs } from './format.ts';

export interface ConsoleOptions {
  /** Use ANSI colors (the caller decides, e.g. from isTTY / NO_COLOR / FORCE_COLOR). */
  color?: boolean;
}

const CASE_INDENT = '  ';
const MESSAGE_INDENT = '        ';

/** Untrusted text on one line, with no control characters reaching the terminal. */
function oneLine(s: string): string {
  return normalizeNewlines(visibleControls(s)).replace(/\n/g, ' ⏎ ');
}

/**
 * The end-of-run summary, lines joined by "\n" with no trailing newline (print it with
 * console.log). With `color`, PASS/FAIL are green/red and timings dim; otherwise plain text.
 */
export function renderConsoleSummary(summary: RunSummary, reportDir: string, opts: ConsoleOptions = {}): string {
  const paint = (code: string, s: string): string => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const label = (status: 'pass' | 'fail' | 'skip'): string =>
    status === 'pass' ? paint('32', 'PASS') : status === 'skip' ? paint('33', 'SKIP') : paint('31', 'FAIL');
  const dim = (s: string): string => paint('2', s);

  const lines: string[] = [];
  for (const s of summary.scenarios) {
    if (s.status === 'skip') {
      lines.push(`${label('skip')}  ${paint('1', oneLine(s.name))} ${dim(`(skipped: ${oneLine(s.skipped ?? 'not run')})`)}`);
      continue;
    }
    const failed = s.cases.filter((c) => c.status === 'fail').length;
    const counts = failed > 0 ? `${plural(s.cases.length, 'case')}, ${failed} failed` : plural(s.cases.length, 'case');
    lines.push(`${label(s.status)}  ${paint('1', oneLine(s.name))} ${dim(`(${counts})`)}  ${dim(formatDuration(s.durationMs))}`);
    for (const c of s.cases) {
      lines.push(`${CASE_INDENT}${label(c.status)}  ${oneLine(c.name)}  ${dim(`${wholeMs(c.durationMs)} ms`)}`);
      const checks = failedChecks(c);
      if (c.status === 'fail' && checks.length === 0) {
        lines.push(`${MESSAGE_INDENT}case failed without a failed check`);
      }
      for (const ch of checks) {
        lines.push(`${MESSAGE_INDENT}${paint('31', oneLine(ch.name))}: ${oneLine(ch.message ?? 'failed')}`);
      }
    }
  }

  const t = summary.totals;
  lines.push(
    '',
    `${label(summary.status)}  ${plural(t.cases, 'case')}: ${t.passed} passed, ${t.failed} failed ` +
      `(${plural(t.scenarios, 'scenario')}${t.skipped ? `, ${t.skipped} skipped` : ''})  ${dim(formatDuration(summary.durationMs))}`,
    `reports: ${oneLine(reportDir)}`,
  );
  if (summary.incomplete) lines.splice(lines.length - 1, 0, `${paint('33', 'INCOMPLETE')}  ${oneLine(summary.incomplete)}`);
  return lines.join('\n');
}

/** Where a case falls in the run, for its progress line. */
export interface CasePosition {
  /** 1-based count of cases finished so far in the run. */
  caseNumber: number;
  /** 1-based index of its scenario, and how many the run has. */
  scenarioNumber: number;
  scenarios: number;
  scenario: string;
}

const PROGRESS_MESSAGE_CHARS = 200;

/**
 * One line per finished case for a log (CI, a pipe), where the terminal's rewritten status line
 * would be noise: `[case 12, scenario 2/5] PASS openai-compatible: openai/text-usage [normalize] 41 ms`.
 * A failed case adds its first failed check, cut to one short line.
 */
export function renderProgressLine(at: CasePosition, c: CaseResult): string {
  const label = c.status === 'pass' ? 'PASS' : 'FAIL';
  const line = `[case ${at.caseNumber}, scenario ${at.scenarioNumber}/${at.scenarios}] ${label} ${oneLine(at.scenario)}: ${oneLine(c.name)} ${wholeMs(c.durationMs)} ms`;
  const first = c.status === 'fail' ? failedChecks(c)[0] : undefined;
  if (!first) return line;
  const message = oneLine(`${first.name}: ${first.message ?? 'failed'}`);
  return `${line}: ${message.length > PROGRESS_MESSAGE_CHARS ? `${message.slice(0, PROGRESS_MESSAGE_CHARS)}…` : message}`;
}
