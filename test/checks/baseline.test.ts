// Baseline comparison: direction, tolerance and noise floors, and the CLI gate's exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyBaseline, compareWithBaseline, isRegression, parseTolerance } from '../../src/checks/baseline.ts';
import type { Measurement, RunSummary } from '../../src/checks/result.ts';
import { runCli } from '../helpers/cli.ts';

function summary(kind: string, measurements: Array<Pick<Measurement, 'name' | 'value' | 'unit'>>): RunSummary {
  return {
    version: 1,
    tool: { name: 'streamproof', version: 't' },
    runId: 'r',
    startedAt: '',
    durationMs: 1,
    target: 't',
    status: 'pass',
    totals: { scenarios: 1, cases: 1, passed: 1, failed: 0, skipped: 0 },
    scenarios: [
      {
        name: 's',
        file: 'f',
        kind,
        status: 'pass',
        durationMs: 1,
        cases: [{ name: 'c', status: 'pass', durationMs: 1, checks: [], measurements }],
      },
    ],
  };
}

describe('baseline comparison', () => {
  it('parses tolerances', () => {
    expect(parseTolerance('20%')).toBe(0.2);
    expect(parseTolerance('0.05')).toBe(0.05);
    expect(parseTolerance('15')).toBe(0.15);
    expect(() => parseTolerance('fast')).toThrow(/--baseline-tolerance/);
  });

  it('knows which way is better, and ignores changes under the noise floor', () => {
    expect(isRegression({ value: 13, unit: 'ms' }, 10, 'lower', 0.2)).toBe(true);
    expect(isRegression({ value: 11, unit: 'ms' }, 10, 'lower', 0.2)).toBe(false);
    expect(isRegression({ value: 7, unit: 'ms' }, 10, 'lower', 0.2)).toBe(false); // faster is fine
    expect(isRegression({ value: 70, unit: 'MB/s' }, 100, 'higher', 0.2)).toBe(true);
    expect(isRegression({ value: 0.2, unit: 'ms' }, 0.05, 'lower', 0.2)).toBe(false); // +150% but 0.15 ms: noise
    expect(isRegression({ value: 1, unit: 'count' }, 0, 'lower', 0.2)).toBe(true); // an error where there was none
  });

  it('compares only comparable measurements, matched by scenario, case and name', () => {
    const before = summary('load', [
      { name: 'ttft_p99_ms', value: 10, unit: 'ms' },
      { name: 'ttft_max_ms', value: 10, unit: 'ms' },
      { name: 'tokens_per_s', value: 50_000, unit: '/s' },
    ]);
    const now = summary('load', [
      { name: 'ttft_p99_ms', value: 20, unit: 'ms' },
      { name: 'ttft_max_ms', value: 500, unit: 'ms' }, // max values are not compared
      { name: 'tokens_per_s', value: 45_000, unit: '/s' },
      { name: 'errors', value: 0, unit: 'count' }, // not in the baseline
    ]);
    const c = compareWithBaseline(now, before, 0.2);
    expect(c.compared).toBe(2);
    expect(c.unmatched).toBe(1);
    expect(c.regressions.map((r) => r.measurement)).toEqual(['ttft_p99_ms']);
    const applied = applyBaseline(now, c, 'base.json');
    expect(applied.status).toBe('fail');
    expect(applied.totals.failed).toBe(1);
    const check = applied.scenarios[0]!.cases[0]!.checks.at(-1)!;
    expect(check).toMatchObject({ name: 'baseline', ok: false });
    expect(check.message).toContain('ttft_p99_ms: 20 ms vs baseline 10 ms (+100.0%)');
  });
});

describe('gating through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-gate-'));
  const scenario = (thresholds: string) => {
    const file = join(dir, `micro-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      file,
      `kind: micro\nname: tiny\nbenchmarks: [sse]\ntimeMs: 10\nsse: { megabytes: 0.05, readSizes: [4096] }\n${thresholds ? `thresholds:\n${thresholds}` : ''}`,
    );
    return file;
  };

  it('exits 0 when every threshold holds, 1 when one fails, 2 on a bad threshold', async () => {
    const ok = await runCli(['run', scenario('  sse_parse_mb_s: "> 0"\n'), '--report-dir', join(dir, 'ok')]);
    expect(ok.code, ok.stdout).toBe(0);
    const fail = await runCli(['run', scenario('  sse_parse_mb_s: "> 1e12"\n'), '--report-dir', join(dir, 'fail')]);
    expect(fail.code).toBe(1);
    expect(fail.stdout).toMatch(/threshold:sse_parse_mb_s: sse_parse_mb_s = [\d.]+ MB\/s, target > 1e12/);
    const bad = await runCli(['run', scenario('  sse_parse_mb_s: "fast"\n')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/:7: thresholds\.sse_parse_mb_s: .*not "<op> <number>"/);
  });

  it('--baseline fails a run that regressed beyond the tolerance, passes one that did not', async () => {
    const first = join(dir, 'first');
    expect((await runCli(['run', scenario(''), '--report-dir', first])).code).toBe(0);
    const base = JSON.parse(readFileSync(join(first, 'summary.json'), 'utf8')) as RunSummary;
    // A doctored baseline 1,000× faster than anything this machine does: a regression.
    const fast = structuredClone(base);
    for (const m of fast.scenarios[0]!.cases[0]!.measurements!) m.value *= 1000;
    writeFileSync(join(dir, 'fast.json'), JSON.stringify(fast));
    const regressed = await runCli([
      'run',
      scenario(''),
      '--baseline',
      join(dir, 'fast.json'),
      '--baseline-tolerance',
      '20%',
      '--report-dir',
      join(dir, 'r1'),
    ]);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(/baseline .*fast\.json: \d+ measurements compared \(tolerance 20%\), [1-9]\d* regressed/);
    expect(regressed.stdout).toMatch(/baseline: \d+ measurement\(s\) regressed beyond 20%/);
    // A baseline 1,000× slower: an improvement, never a failure.
    const slow = structuredClone(base);
    for (const m of slow.scenarios[0]!.cases[0]!.measurements!) m.value /= 1000;
    writeFileSync(join(dir, 'slow.json'), JSON.stringify(slow));
    expect((await runCli(['run', scenario(''), '--baseline', join(dir, 'slow.json'), '--report-dir', join(dir, 'r2')])).code).toBe(0);
    // A baseline whose scenario names match nothing gates nothing: a warning, or a failure when strict.
    const renamed = structuredClone(base);
    renamed.scenarios[0]!.name = 'some-other-scenario';
    writeFileSync(join(dir, 'renamed.json'), JSON.stringify(renamed));
    const loose = await runCli(['run', scenario(''), '--baseline', join(dir, 'renamed.json'), '--report-dir', join(dir, 'r3')]);
    expect(loose.code).toBe(0);
    expect(loose.stdout).toContain('0 measurements compared');
    expect(loose.stdout).toContain('warning: no measurement of this run is in the baseline');
    const strict = await runCli([
      'run',
      scenario(''),
      '--baseline',
      join(dir, 'renamed.json'),
      '--baseline-strict',
      '--report-dir',
      join(dir, 'r4'),
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('FAIL: --baseline-strict and no measurement of this run is in the baseline');
  });

  it('exits 2 on an unreadable baseline or a bad tolerance, before running anything', async () => {
    const missing = await runCli(['run', scenario(''), '--baseline', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--baseline .*nope\.json: cannot read a summary\.json/);
    writeFileSync(join(dir, 'base.json'), JSON.stringify(summary('micro', [])));
    const tol = await runCli(['run', scenario(''), '--baseline', join(dir, 'base.json'), '--baseline-tolerance', 'lots']);
    expect(tol.code).toBe(2);
    expect((await runCli(['run', scenario(''), '--baseline-tolerance', '10%'])).code).toBe(2);
  });
});
