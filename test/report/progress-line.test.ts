// When stdout is not a terminal (CI, a pipe), `streamproof run` prints a line per case as it
// finishes; the summary still follows at the end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderProgressLine } from '../../src/report/console.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

describe('progress lines', () => {
  it('a passing case: position, status, scenario, case and time', () => {
    const line = renderProgressLine(
      { caseNumber: 12, scenarioNumber: 2, scenarios: 5, scenario: 'openai-compatible' },
      { name: 'openai/text-usage [normalize]', status: 'pass', durationMs: 41.4, checks: [{ name: 'golden', ok: true }] },
    );
    expect(line).toBe('[case 12, scenario 2/5] PASS openai-compatible: openai/text-usage [normalize] 41 ms');
  });

  it('a failing case adds its first failed check on the same line, cut short and without control characters', () => {
    const line = renderProgressLine(
      { caseNumber: 1, scenarioNumber: 1, scenarios: 1, scenario: 'one' },
      {
        name: 'openai/text-usage [normalize]',
        status: 'fail',
        durationMs: 10,
        checks: [
          { name: 'request', ok: true },
          { name: 'status', ok: false, message: `recorded: \x1b[31m${'x'.repeat(500)}\nsecond line` },
        ],
      },
    );
    expect(line).toMatch(/^\[case 1, scenario 1\/1\] FAIL one: openai\/text-usage \[normalize\] 10 ms: status: recorded: /);
    expect(line).not.toContain('\x1b');
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(320);
  });

  it('streamproof run prints one as each case finishes when stdout is not a terminal', async () => {
    expect(process.stdout.isTTY).not.toBe(true); // as under CI
    const dir = mkdtempSync(join(tmpdir(), 'streamproof-progress-'));
    const scenario = join(dir, 'one.yaml');
    writeFileSync(
      scenario,
      `kind: parity\nname: one\nmodes: [normalize, passthrough]\nfixtures: [${join(REPO_ROOT, 'fixtures/openai/text-usage.yaml')}]\n`,
    );
    const r = await runCli(['run', scenario, '--report-dir', join(dir, 'reports')]);
    expect(r.code, r.stdout).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('[case '));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[case 1, scenario 1\/1\] PASS one: openai\/text-usage \[normalize\] \d+ ms$/);
    expect(lines[1]).toMatch(/^\[case 2, scenario 1\/1\] PASS one: openai\/text-usage \[passthrough\] \d+ ms$/);
    expect(r.stdout.indexOf(lines[1]!)).toBeLessThan(r.stdout.indexOf('1 scenario)')); // before the summary
  });
});
