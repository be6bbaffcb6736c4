// `repeat: N` with known inputs: the t quantiles, the mean and its 95% interval, the combined case
// (thresholds held against the mean, a failure in any run kept), the baseline using the intervals,
// and one real scenario run twice through the CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRegression } from '../../src/checks/baseline.ts';
import { meanWithInterval, repeatedCase, tQuantile95 } from '../../src/checks/repeat.ts';
import type { CaseResult, RunSummary } from '../../src/checks/result.ts';
import { runCli } from '../helpers/cli.ts';

describe('the t-distribution interval', () => {
  it('uses the two-sided 95% quantiles of Student t', () => {
    expect(tQuantile95(1)).toBe(12.706);
    expect(tQuantile95(2)).toBe(4.303);
    expect(tQuantile95(4)).toBe(2.776);
    expect(tQuantile95(9)).toBe(2.262);
    expect(tQuantile95(30)).toBe(2.042);
    expect(tQuantile95(60)).toBe(2.0);
    expect(tQuantile95(45)).toBeGreaterThan(2.0);
    expect(tQuantile95(45)).toBeLessThan(2.021);
    expect(tQuantile95(1e9)).toBeCloseTo(1.96, 3);
    expect(() => tQuantile95(0)).toThrow(RangeError);
  });

  it('gives the mean, the sample deviation and mean ± t·s/√n', () => {
    // 10, 12, 14: mean 12, s = 2, half-width 4.303 · 2 / √3 = 4.96868.
    const { mean, stats } = meanWithInterval([10, 12, 14]);
    expect(mean).toBe(12);
    expect(stats.stddev).toBe(2);
    expect(stats.ciLow).toBeCloseTo(7.03132, 4);
    expect(stats.ciHigh).toBeCloseTo(16.96868, 4);
    expect(stats.n).toBe(3);
    // Identical values: no spread, a zero-width interval.
    expect(meanWithInterval([5, 5]).stats).toMatchObject({ stddev: 0, ciLow: 5, ciHigh: 5 });
    expect(() => meanWithInterval([1])).toThrow(RangeError);
  });
});

describe('repeatedCase', () => {
  const run = (ttft: number, driverOk: boolean): CaseResult => ({
    name: 'c [normalize]',
    status: 'pass',
    durationMs: 100,
    checks: [
      { name: 'driver', ok: driverOk, message: driverOk ? 'kept up' : 'saturated' },
      { name: 'threshold:ttft_p99_ms', ok: ttft < 12, message: `ttft_p99_ms = ${ttft}` },
    ],
    measurements: [
      { name: 'ttft_p99_ms', value: ttft, unit: 'ms', threshold: '< 12', target: { op: '<', value: 12 }, ok: ttft < 12 },
      { name: 'streams', value: 20, unit: 'streams' },
    ],
  });

  it('holds thresholds against the mean and keeps a check that failed in any run', () => {
    const c = repeatedCase([run(10, true), run(13, true), run(10, false)]);
    const ttft = c.measurements!.find((m) => m.name === 'ttft_p99_ms')!;
    expect(ttft.value).toBe(11); // one run above 12, the mean below it
    expect(ttft.ok).toBe(true);
    expect(ttft.repeat).toMatchObject({ n: 3, values: [10, 13, 10] });
    expect(c.checks.find((k) => k.name === 'threshold:ttft_p99_ms')).toMatchObject({ ok: true });
    expect(c.checks.find((k) => k.name === 'driver')).toMatchObject({ ok: false, message: 'run 3/3: saturated' });
    expect(c.checks[0]).toMatchObject({ name: 'repeat', ok: true });
    expect(c.status).toBe('fail');
    expect(c.durationMs).toBe(300);
  });

  it('fails a threshold the mean misses', () => {
    const c = repeatedCase([run(12, true), run(14, true)]);
    expect(c.checks.find((k) => k.name === 'threshold:ttft_p99_ms')).toMatchObject({ ok: false });
    expect(c.status).toBe('fail');
  });
});

describe('the baseline with intervals', () => {
  const ms = (value: number, ciLow?: number, ciHigh?: number) => ({
    value,
    unit: 'ms',
    ...(ciLow === undefined ? {} : { repeat: { n: 5, values: [], stddev: 1, ciLow, ciHigh: ciHigh! } }),
  });

  it('counts a move beyond the tolerance only when the intervals do not overlap', () => {
    // +50%, single values: a regression.
    expect(isRegression(ms(15), 10, 'lower', 0.2)).toBe(true);
    // +50% in the means, but the intervals overlap (13–17 against 8–14): noise.
    expect(isRegression(ms(15, 13, 17), ms(10, 8, 14), 'lower', 0.2)).toBe(false);
    // +50% with intervals apart (14.5–15.5 against 9–11): a regression.
    expect(isRegression(ms(15, 14.5, 15.5), ms(10, 9, 11), 'lower', 0.2)).toBe(true);
    // Against a single baseline value inside the current interval: not a regression.
    expect(isRegression(ms(15, 9, 21), 10, 'lower', 0.2)).toBe(false);
    // Within the tolerance, apart or not: never.
    expect(isRegression(ms(11, 10.9, 11.1), ms(10, 9.9, 10.1), 'lower', 0.2)).toBe(false);
    // Higher is better: the current interval entirely below the baseline's.
    expect(isRegression({ ...ms(50, 45, 55), unit: '/s' }, ms(100, 90, 110), 'higher', 0.2)).toBe(true);
  });
});

describe('repeat: N through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-repeat-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const scenario = (repeat: string) =>
    `kind: load\nname: repeated\nsynthetic: { tokens: 5, gapMs: 1 }\nload: { model: closed, concurrency: 2 }\nduration: { seconds: 5, requests: 8 }\nwarmup: { requests: 2 }\ndriver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }\n${repeat}\nthresholds: { errors: "== 0" }\n`;

  it('runs the scenario N times and reports each figure as a mean with its interval', async () => {
    writeFileSync(join(dir, 'load.yaml'), scenario('repeat: 2'));
    const reports = join(dir, 'reports');
    const r = await runCli(['run', join(dir, 'load.yaml'), '--report-dir', reports]);
    expect(r.code, r.stdout).toBe(0);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary;
    const c = summary.scenarios[0]!.cases[0]!;
    const streams = c.measurements!.find((m) => m.name === 'streams')!;
    expect(streams.value).toBe(6);
    expect(streams.repeat).toMatchObject({ n: 2, values: [6, 6], ciLow: 6, ciHigh: 6 });
    const ttft = c.measurements!.find((m) => m.name === 'ttft_p50_ms')!;
    expect(ttft.repeat!.values).toHaveLength(2);
    expect(ttft.repeat!.ciLow).toBeLessThanOrEqual(ttft.value);
    expect(ttft.repeat!.ciHigh).toBeGreaterThanOrEqual(ttft.value);
    expect(c.checks[0]).toMatchObject({ name: 'repeat', ok: true });
  }, 90_000); // two load runs, each starting a gateway and a replay process

  it('rejects repeat below 2 with the file and line (exit 2)', async () => {
    writeFileSync(join(dir, 'bad.yaml'), scenario('repeat: 1'));
    const r = await runCli(['run', join(dir, 'bad.yaml'), '--report-dir', join(dir, 'r2')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:\d+.*repeat/);
  });
});
