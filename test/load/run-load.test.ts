// Load scenarios end to end through the CLI, with small counts: the reference gateway and the
// replay upstream in their own processes, a direct phase for added latency, fidelity against a
// deliberately corrupted golden, and exit codes. No wall-clock figure is asserted.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/checks/result.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-load-'));
  mkdirSync(join(dir, 'fixtures/openai'), { recursive: true });
  for (const f of ['text-usage.yaml', 'text-usage.normalize.sse'])
    copyFileSync(join(REPO_ROOT, 'fixtures/openai', f), join(dir, 'fixtures/openai', f));
  return dir;
}

function measurements(summary: RunSummary): Map<string, number> {
  return new Map(summary.scenarios.flatMap((s) => s.cases.flatMap((c) => (c.measurements ?? []).map((m) => [m.name, m.value] as const))));
}

const SMALL = `load: { model: closed, concurrency: 5 }
duration: { seconds: 10, requests: 25 }
warmup: { requests: 5 }
driver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }
`;

describe('kind: load', () => {
  it('reports no frame figures when streams were not compared with goldens (never a 0 that was not measured)', async () => {
    const dir = workspace();
    const reports = join(dir, 'reports');
    writeFileSync(
      join(dir, 'load.yaml'),
      `kind: load\nname: unchecked\nfixtures: [fixtures/openai/text-usage.yaml]\nfidelity: false\n${SMALL}`,
    );
    const r = await runCli(['run', join(dir, 'load.yaml'), '--report-dir', reports]);
    expect(r.code, r.stdout).toBe(0);
    const m = measurements(JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary);
    expect(m.get('streams')).toBe(20);
    for (const name of ['lost_frames', 'corrupted_frames', 'reordered_frames', 'extra_frames', 'mismatched_streams'])
      expect(m.has(name), name).toBe(false);
  });

  it('drives direct and via-gateway phases and reports both series and the added latency', async () => {
    const dir = workspace();
    const reports = join(dir, 'reports');
    writeFileSync(
      join(dir, 'load.yaml'),
      `kind: load\nname: small\nfixtures: [fixtures/openai/text-usage.yaml]\n` +
        SMALL +
        `compare: direct\nthresholds:\n  errors: "== 0"\n  lost_frames: "== 0"\n  mismatched_streams: "== 0"\n  concurrency_max: ">= 1"\n`,
    );
    const r = await runCli(['run', join(dir, 'load.yaml'), '--report-dir', reports]);
    expect(r.code, r.stdout).toBe(0);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary;
    const m = measurements(summary);
    expect(m.get('streams')).toBe(20); // 25 requests, 5 of them warm-up
    expect(m.get('direct_streams')).toBe(20);
    expect(m.get('errors')).toBe(0);
    for (const name of [
      'ttft_p99_ms',
      'direct_ttft_p99_ms',
      'added_ttft_p99_ms',
      'added_itl_p50_ms',
      'itl_p90_ms',
      'tpot_p50_ms',
      'tokens_per_s',
      'gateway_rss_max_mb',
      'gateway_buffered_max_mb',
      'driver_elu',
    ]) {
      expect(m.has(name), name).toBe(true);
    }
    expect(m.get('added_ttft_p99_ms')).toBeCloseTo(m.get('ttft_p99_ms')! - m.get('direct_ttft_p99_ms')!, 2);
    expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toContain('## Measurements');
    expect(readFileSync(join(reports, 'junit.xml'), 'utf8')).toMatch(/<property name="added_ttft_p99_ms" value="-?[\d.]+ ms"\/>/);
  });

  it('counts every stream against a deliberately corrupted golden as mismatched, and fails', async () => {
    const dir = workspace();
    const golden = join(dir, 'fixtures/openai/text-usage.normalize.sse');
    writeFileSync(golden, readFileSync(golden, 'utf8').replace('Hello', 'Jello'));
    writeFileSync(
      join(dir, 'load.yaml'),
      `kind: load\nname: corrupted\nfixtures: [fixtures/openai/text-usage.yaml]\n${SMALL}thresholds:\n  mismatched_streams: "== 0"\n  corrupted_frames: "== 0"\n`,
    );
    const r = await runCli(['run', join(dir, 'load.yaml'), '--report-dir', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/threshold:mismatched_streams: mismatched_streams = 20 count, target == 0/);
    const summary = JSON.parse(readFileSync(join(dir, 'reports/summary.json'), 'utf8')) as RunSummary;
    const m = measurements(summary);
    expect(m.get('corrupted_frames')).toBe(20);
    expect(m.get('lost_frames')).toBe(0);
    const check = summary.scenarios[0]!.cases[0]!.checks.find((c) => c.name === 'threshold:mismatched_streams');
    expect(check?.detail).toMatch(/first difference at byte \d+ \(event 1\)/);
  });

  it('exits 2 on a scenario that names a cassette without a golden', async () => {
    const dir = workspace();
    rmSync(join(dir, 'fixtures/openai/text-usage.normalize.sse'));
    writeFileSync(join(dir, 'load.yaml'), `kind: load\nname: x\nfixtures: [fixtures/openai/text-usage.yaml]\n${SMALL}`);
    const r = await runCli(['run', join(dir, 'load.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no golden at .*text-usage\.normalize\.sse/);
  });

  it('runs direct, null-proxy and gateway phases after a calibration, and reports CPU per event of each process', async () => {
    const dir = workspace();
    const reports = join(dir, 'reports');
    writeFileSync(
      join(dir, 'load.yaml'),
      `kind: load\nname: three\nsynthetic: { tokens: 8, gapMs: 2 }\nspeed: 1\n${SMALL}compare: [direct, null-proxy, gateway]\ncalibrate: { delayMs: 20, seconds: 5 }\nthresholds:\n  errors: "== 0"\n  gateway_cpu_us_per_event: "< 1000000"\n  proxy_cpu_us_per_event: "< 1000000"\n`,
    );
    const r = await runCli(['run', join(dir, 'load.yaml'), '--report-dir', reports]);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary;
    const m = measurements(summary);
    const checks = summary.scenarios[0]!.cases[0]!.checks;
    // Within 1 ms depends on the machine; that the held half shows the delay at all does not.
    expect(checks.find((c) => c.name === 'calibration')?.message, r.stdout).toMatch(
      /held requests' TTFT − their neighbours' \(median of \d+ pairs\) .* expected/,
    );
    expect(m.get('calibration_added_ttft_p50_ms')).toBeGreaterThan(10);
    expect(checks.find((c) => c.name === 'threshold:errors')?.ok).toBe(true);
    for (const name of [
      'gateway_cpu_us_per_event',
      'driver_cpu_us_per_event',
      'upstream_cpu_us_per_event',
      'direct_driver_cpu_us_per_event',
      'direct_upstream_cpu_us_per_event',
      'proxy_cpu_us_per_event',
      'proxy_driver_cpu_us_per_event',
      'proxy_upstream_cpu_us_per_event',
    ]) {
      expect(m.get(name), name).toBeGreaterThan(0);
    }
    expect(m.get('proxy_streams')).toBe(20);
    expect(m.get('added_hop_ttft_p50_ms')).toBeCloseTo(m.get('proxy_ttft_p50_ms')! - m.get('direct_ttft_p50_ms')!, 2);
    expect(m.get('added_over_proxy_ttft_p50_ms')).toBeCloseTo(m.get('ttft_p50_ms')! - m.get('proxy_ttft_p50_ms')!, 2);
    expect(m.get('calibration_error_ms')).toBeCloseTo(
      m.get('calibration_added_ttft_p50_ms')! - m.get('calibration_expected_ttft_p50_ms')!,
      2,
    );
    expect(m.get('calibration_delay_applied_p50_ms')).toBeGreaterThanOrEqual(20);
    expect(checks.find((c) => c.name === 'added latency')?.message).toMatch(/one more hop .* gateway itself/);
    expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toContain('gateway_cpu_us_per_event');
  }, 90_000); // three server processes start; slow on a busy machine

  it('exits 2, naming the file and line, on phases without the gateway and on a bad calibration delay', async () => {
    const dir = workspace();
    const head = `kind: load\nname: x\nsynthetic: { tokens: 5 }\n${SMALL}`;
    writeFileSync(join(dir, 'a.yaml'), `${head}compare: [direct, null-proxy]\n`);
    const a = await runCli(['run', join(dir, 'a.yaml')]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/a\.yaml:8: compare: the phases must include gateway/);
    writeFileSync(join(dir, 'b.yaml'), `${head}compare: [direct, gateway]\ncalibrate: { delayMs: -3 }\n`);
    const b = await runCli(['run', join(dir, 'b.yaml')]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/b\.yaml:9: calibrate\.delayMs/);
  });
});
