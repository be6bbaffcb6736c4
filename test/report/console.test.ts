import { describe, expect, it } from 'vitest';
import { renderConsoleSummary } from '../../src/report/console.ts';
import { failingSummary, passingSummary } from './fixture.ts';

describe('renderConsoleSummary', () => {
  it('prints a line per scenario and per case, failed checks under failing cases', () => {
    const out = renderConsoleSummary(failingSummary(), 'reports/run-1');
    expect(out.split('\n')).toEqual([
      'FAIL  openai-basics (2 cases, 1 failed)  40 ms',
      '  PASS  openai/text-usage [normalize]  12 ms',
      '  FAIL  openai/tool-call [raw] | split  10 ms',
      '        golden: event 3 differs: <delta> & "usage"',
      '        chunking:bytewise: stream ended early ⏎ after 2 events',
      'FAIL  anthropic <basics> (2 cases, 1 failed)  30 ms',
      '  PASS  anthropic/text  7 ms',
      '  FAIL  anthropic/errored  3 ms',
      '        case failed without a failed check',
      '',
      'FAIL  4 cases: 2 passed, 2 failed (2 scenarios)  1.23 s',
      'reports: reports/run-1',
    ]);
  });

  it('has exactly one line per case', () => {
    const summary = failingSummary();
    const lines = renderConsoleSummary(summary, 'r').split('\n');
    for (const c of summary.scenarios.flatMap((s) => s.cases)) {
      expect(lines.filter((l) => /^ {2}(PASS|FAIL) {2}/.test(l) && l.includes(c.name))).toHaveLength(1);
    }
    expect(lines.filter((l) => /^ {2}(PASS|FAIL) {2}/.test(l))).toHaveLength(4);
  });

  it('uses ANSI colors only when asked, and never passes control characters through', () => {
    const summary = passingSummary();
    const first = summary.scenarios[0]?.cases[0];
    if (first) first.name = 'evil\u001b[2Jname';
    const plain = renderConsoleSummary(summary, 'r');
    expect(plain).not.toContain('\u001b');
    expect(plain).toContain('  PASS  evil␛[2Jname  12 ms');
    expect(renderConsoleSummary(summary, 'r', { color: false })).toBe(plain);

    const colored = renderConsoleSummary(summary, 'r', { color: true });
    expect(colored).toContain('\u001b[32mPASS\u001b[0m');
    expect(colored.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });
});
