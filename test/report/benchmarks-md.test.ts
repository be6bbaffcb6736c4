import { describe, expect, it } from 'vitest';
import { renderBenchmarksMd, USER_TARGETS } from '../../src/report/benchmarks-md.ts';
import { renderFigures } from '../../src/report/figures.ts';
import type { RunSummary } from '../../src/checks/result.ts';

const summary: RunSummary = {
  version: 1,
  tool: { name: 'streamproof', version: 't' },
  runId: 'run-1',
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 300_000,
  target: 'reference gateway (in-process)',
  status: 'fail',
  totals: { scenarios: 2, cases: 2, passed: 1, failed: 1, skipped: 0 },
  scenarios: [
    {
      name: 'added-latency',
      file: 'f',
      kind: 'load',
      status: 'pass',
      durationMs: 1,
      cases: [
        {
          name: 'added-latency [normalize]',
          status: 'pass',
          durationMs: 1,
          checks: [],
          measurements: [{ name: 'added_ttft_p99_ms', value: 1.25, unit: 'ms', threshold: '< 5', target: { op: '<', value: 5 }, ok: true }],
        },
      ],
    },
    {
      name: 'micro',
      file: 'f',
      kind: 'micro',
      status: 'fail',
      durationMs: 1,
      cases: [
        {
          name: 'micro',
          status: 'fail',
          durationMs: 1,
          checks: [{ name: 'threshold:provider_memory_max_mb', ok: false, message: 'provider_memory_max_mb = 10 MB, target < 8' }],
          measurements: [
            { name: 'provider_memory_max_mb', value: 10, unit: 'MB', threshold: '< 8', target: { op: '<', value: 8 }, ok: false },
            { name: 'sse_parse_mb_s', value: 250, unit: 'MB/s', threshold: '> 100', target: { op: '>', value: 100 }, ok: true },
          ],
        },
      ],
    },
  ],
};
const machine = {
  cores: 2,
  node: 'v20.20.2',
  cpuModel: 'AMD EPYC',
  memoryGiB: 23,
  os: 'linux 6',
  load: [2.5, 2, 1] as [number, number, number],
};

describe('BENCHMARKS.md', () => {
  const md = renderBenchmarksMd({ summary, command: 'npm run bench', machine, loadAfter: [1, 1, 1], reportDir: 'reports/run-1' });

  it('records the command and the machine', () => {
    expect(md).toContain('`npm run bench`');
    expect(md).toContain('2 cores (`nproc`), AMD EPYC (`/proc/cpuinfo`)');
    expect(md).toContain('Node v20.20.2');
    expect(md).toMatch(/machine was shared/);
  });

  it('has a row per user target with measured, target and ratio', () => {
    expect(md).toContain(
      '| Added TTFT p99 under 5 ms (dispatch overhead) | `added-latency` · `added_ttft_p99_ms` | 1.25 ms | < 5 | 0.250 | 4.00× | ✅ |',
    );
    expect(md).toContain('| 10 MB | < 8 | 1.25 | 0.80× | ❌ |');
    expect(md).toContain('| SSE parsing over 100 MB/s | `micro` · `sse_parse_mb_s` | 250 MB/s | > 100 | 2.50 | 2.50× | ✅ |');
    expect(md.match(/not measured/g)?.length).toBe(USER_TARGETS.length - 3);
    expect(md).toContain('## What failed in this run');
  });

  it('console figures say how far past (or short of) each target a measurement is', () => {
    const text = renderFigures(summary);
    expect(text).toMatch(/ok +added_ttft_p99_ms +1\.25 ms +target < 5 {2}\(4\.00× headroom\)/);
    expect(text).toMatch(/MISS +provider_memory_max_mb +10 MB +target < 8 {2}\(0\.80× of target\)/);
  });
});

describe('BENCHMARKS.md: CPU per event, the null-proxy split and the calibration', () => {
  const ms = (name: string, value: number) => ({ name, value, unit: 'ms' });
  const us = (name: string, value: number, threshold?: string) =>
    threshold
      ? { name, value, unit: 'µs', threshold, target: { op: '<=' as const, value: 30 }, ok: value <= 30 }
      : { name, value, unit: 'µs' };
  const withLoad: RunSummary = {
    ...summary,
    scenarios: [
      {
        name: 'added-latency-1k',
        file: 'f',
        kind: 'load',
        status: 'fail',
        durationMs: 1,
        cases: [
          {
            name: 'added-latency-1k [normalize]',
            status: 'fail',
            durationMs: 1,
            checks: [{ name: 'calibration', ok: false, message: 'off' }],
            measurements: [
              us('gateway_cpu_us_per_event', 41.5, '<= 30'),
              us('driver_cpu_us_per_event', 18.25),
              us('upstream_cpu_us_per_event', 12),
              us('proxy_cpu_us_per_event', 9.5),
              ms('direct_ttft_p50_ms', 1),
              ms('proxy_ttft_p50_ms', 1.5),
              ms('ttft_p50_ms', 2.25),
              ms('added_ttft_p50_ms', 1.25),
              ms('added_hop_ttft_p50_ms', 0.5),
              ms('added_over_proxy_ttft_p50_ms', 0.75),
              ms('calibration_delay_applied_p50_ms', 3.1),
              ms('calibration_added_ttft_p50_ms', 5.5),
              ms('calibration_expected_ttft_p50_ms', 3.6),
              ms('calibration_error_ms', 1.9),
              ms('calibration_ci95_ms', 0.4),
              { name: 'gateway_cpu_wait', value: 0.254, unit: 'fraction' },
              { name: 'driver_cpu_wait', value: 0.03, unit: 'fraction' },
            ],
          },
        ],
      },
    ],
  };
  const md = renderBenchmarksMd({ summary: withLoad, command: 'c', machine, loadAfter: [1, 1, 1], reportDir: 'r' });

  it('shows each process CPU per event as measured, with its threshold verdict, and — where not measured', () => {
    expect(md).toContain('## CPU per event');
    expect(md).toContain('| added-latency-1k | 41.5 ❌ | 18.25 | — | 12 | 9.5 | — | — |');
  });

  it('shows how long each process waited for a core, as a share of the phase, and — where not measured', () => {
    expect(md).toContain('## Waiting for a core');
    expect(md).toContain('| added-latency-1k | 25.4% | 3.0% | — | — |');
  });

  it('splits added TTFT into one more hop and the gateway itself, and marks a failed calibration invalid', () => {
    expect(md).toContain('| added-latency-1k | p50 | 1 | 1.5 | 2.25 | 1.25 | 0.500 | 0.750 |');
    expect(md).toContain('| added-latency-1k | 3.1 | 5.5 | ±0.400 | 3.6 | 1.9 | ❌ invalid |');
  });

  it('shows none of these sections for a run that measured none of them', () => {
    const plain = renderBenchmarksMd({ summary, command: 'c', machine, loadAfter: [1, 1, 1], reportDir: 'r' });
    expect(plain).not.toContain('## CPU per event');
    expect(plain).not.toContain('## Calibration');
  });
});
