import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrng } from '../../src/base/prng.ts';
import type { RunSummary } from '../../src/checks/result.ts';
import { LOG_SETTINGS, nsToUs, readIntervalLog, writeIntervalLog, type LogInterval } from '../../src/load/hdr-log.ts';
import { createHistogram, recordNs, type Histogram } from '../../src/load/histogram.ts';
import { arrivalOffsets } from '../../src/load/schedule.ts';
import { everyNth, planShard } from '../../src/load/shard.ts';
import { runCli } from '../helpers/cli.ts';
import { startChatStreamServer } from '../helpers/chat-stream-server.ts';

// Against a small streaming server standing in for the gateway (\`upstream: live\`): the shards
// then put up no server processes of their own, so the test spends its time on the shards.
const SCENARIO = `kind: load
name: sharded
synthetic: { tokens: 20 }
upstream: live
load: { model: poisson, rate: 60, seed: 11, maxInFlight: 300 }
duration: { seconds: 30, requests: 45 }
warmup: { requests: 6 }
driver: { maxEventLoopDelayP99Ms: 5000, maxEventLoopUtilization: 1 }
thresholds:
  errors: "== 0"
`;

function measurements(dir: string): Map<string, number> {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
  return new Map(summary.scenarios.flatMap((s) => s.cases.flatMap((c) => (c.measurements ?? []).map((m) => [m.name, m.value] as const))));
}

function take(it: Iterable<bigint>, n: number): bigint[] {
  const out: bigint[] = [];
  for (const t of it) {
    if (out.length === n) break;
    out.push(t);
  }
  return out;
}

const BOUNDS = { maxRequests: 100, maxDurationMs: 60_000, warmupRequests: 10, warmupMs: 0 };

describe('slicing one seeded schedule', () => {
  it('open loop: the shards take every N-th arrival, and together they are exactly the global sequence', () => {
    const model = { type: 'poisson', rate: 200, seed: 5, maxInFlight: 100 } as const;
    const global = take(arrivalOffsets(model), 100);
    const plans = [0, 1, 2].map((index) => planShard(model, BOUNDS, { index, count: 3 }));
    const parts = plans.map((p) => take(p.arrivals!, p.bounds.maxRequests));
    expect(parts.map((p) => p.length)).toEqual([34, 33, 33]);
    expect(plans.map((p) => p.bounds.warmupRequests)).toEqual([4, 3, 3]);
    expect(parts[1]![0]).toBe(global[1]);
    expect([...parts.flat()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(global);
    expect(everyNth(2, { index: 2, count: 3 })).toBe(0);
  });

  it('closed loop: the concurrency and the request budget are split, summing to the whole', () => {
    const model = { type: 'closed', concurrency: 10, rampUpMs: 0 } as const;
    const plans = [0, 1, 2].map((index) => planShard(model, BOUNDS, { index, count: 3 }));
    expect(plans.map((p) => (p.model.type === 'closed' ? p.model.concurrency : 0))).toEqual([4, 3, 3]);
    expect(plans.reduce((n, p) => n + p.bounds.maxRequests, 0)).toBe(100);
    expect(plans.reduce((n, p) => n + p.bounds.warmupRequests, 0)).toBe(10);
    expect(() => planShard(model, BOUNDS, { index: 0, count: 11 })).toThrow(/cannot be split/);
  });
});

describe('the HdrHistogram interval log', () => {
  const log = (h: Histogram, tag = 'ttft'): string =>
    writeIntervalLog(Date.UTC(2030, 0, 1), ['test'], [{ tag, startSec: 0, lengthSec: 1, histogram: nsToUs(h) } satisfies LogInterval]);

  it('merging three shard logs equals the log of every value recorded in one histogram, bucket for bucket', () => {
    const random = createPrng(42);
    const parts = [createHistogram(), createHistogram(), createHistogram()];
    const all = createHistogram();
    for (let i = 0; i < 30_000; i++) {
      // Latency-like values from 0.2 µs to ~20 s, log-uniform.
      const ns = 200 * 10 ** (random() * 8);
      recordNs(parts[i % 3]!, ns);
      recordNs(all, ns);
    }
    const merged = nsToUs(createHistogram());
    for (const p of parts) merged.add(readIntervalLog(log(p)).intervals[0]!.histogram);
    const single = readIntervalLog(log(all)).intervals[0]!.histogram;
    expect(merged.totalCount).toBe(30_000);
    for (const q of [0, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100])
      expect(merged.getValueAtPercentile(q), `p${q}`).toBe(single.getValueAtPercentile(q));
    expect(merged.maxValue).toBe(single.maxValue);
    expect(merged.minNonZeroValue).toBe(single.minNonZeroValue);
    // And the µs log stays within the histograms' precision of the ns values it came from.
    for (const q of [50, 90, 99]) {
      const ns = all.getValueAtPercentile(q);
      expect(Math.abs(single.getValueAtPercentile(q) * 1000 - ns)).toBeLessThanOrEqual(
        ns * 3 * 10 ** -LOG_SETTINGS.significantDigits + 1000,
      );
    }
  });

  it('reads back the start time, tags and interval times', () => {
    const h = createHistogram();
    recordNs(h, 1_500_000);
    const read = readIntervalLog(log(h, 'itl'));
    expect(read.startEpochMs).toBe(Date.UTC(2030, 0, 1));
    expect(read.intervals.map((i) => [i.tag, i.startSec, i.lengthSec, i.histogram.totalCount])).toEqual([['itl', 0, 1, 1]]);
    expect(read.decodedSettings[0]).toEqual({ tag: 'itl', significantDigits: 3, lowestDiscernibleValue: 1 });
  });
});

describe('sharded runs through the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-shard-'));
  const file = join(dir, 'load.yaml');
  writeFileSync(file, SCENARIO);
  const one = join(dir, 'one');
  const three = join(dir, 'three');
  let target: Awaited<ReturnType<typeof startChatStreamServer>>;
  beforeAll(async () => {
    target = await startChatStreamServer({ chunks: 20 });
  });
  afterAll(() => target.close());

  it('1 shard and 3 local shards of the same seeded schedule: equal request and error counts; a missing shard fails merge', async () => {
    const single = await runCli([
      'run',
      file,
      '--target',
      target.url,
      '--shard',
      '0/1',
      '--run-id',
      'single',
      '--start-at',
      'now',
      '--report-dir',
      one,
    ]);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stdout).toMatch(/no thresholds evaluated/);
    const m1 = await runCli(['merge', one]);
    expect(m1.code, m1.stdout + m1.stderr).toBe(0);

    const sharded = await runCli(['run', file, '--target', target.url, '--workers', '3', '--run-id', 'three', '--report-dir', three]);
    expect(sharded.code, sharded.stdout + sharded.stderr).toBe(0);
    const a = measurements(one);
    const b = measurements(three);
    expect(a.get('streams')).toBe(39); // 45 requests, 6 of them warm-up
    expect(b.get('streams')).toBe(a.get('streams'));
    expect(a.get('errors')).toBe(0);
    expect(b.get('errors')).toBe(a.get('errors'));
    expect(b.get('dropped')).toBe(a.get('dropped'));
    const manifest = JSON.parse(readFileSync(join(three, 'shard-1-of-3', 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({ runId: 'three', shard: { index: 1, count: 3 }, histograms: { unit: 'us', significantDigits: 3 } });
    expect(readFileSync(join(three, 'shard-1-of-3', 'histograms.hlog'), 'utf8')).toMatch(/^#\[Histogram log format version 1\.3\]/);

    // The shards' scenario differs: refused, naming them.
    const mixed = join(dir, 'mixed');
    cpSync(join(three, 'shard-0-of-3'), join(mixed, 'shard-0-of-3'), { recursive: true });
    cpSync(join(three, 'shard-1-of-3'), join(mixed, 'shard-1-of-3'), { recursive: true });
    const tampered = join(mixed, 'shard-1-of-3', 'manifest.json');
    writeFileSync(tampered, readFileSync(tampered, 'utf8').replace(/"hash": "[0-9a-f]+"/, '"hash": "0000"'));
    const refused = await runCli(['merge', mixed]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/differ in scenario[\s\S]*shard-1-of-3/);

    // A saturated shard, a late one and a lost interval: each fails the merged run, named.
    const damaged = join(dir, 'damaged');
    cpSync(three, damaged, { recursive: true });
    const health0 = join(damaged, 'shard-0-of-3', 'health.json');
    writeFileSync(
      health0,
      JSON.stringify({ ...JSON.parse(readFileSync(health0, 'utf8')), valid: false, reasons: ['event-loop delay p99 80.0 ms > 50 ms'] }),
    );
    const health2 = join(damaged, 'shard-2-of-3', 'health.json');
    writeFileSync(health2, JSON.stringify({ ...JSON.parse(readFileSync(health2, 'utf8')), startLatenessMs: 4000 }));
    const log1 = join(damaged, 'shard-1-of-3', 'histograms.hlog');
    writeFileSync(log1, readFileSync(log1, 'utf8').replace(/^Tag=ttft,0\.000,.*\n/m, ''));
    const bad = await runCli(['merge', damaged]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/missing intervals: shard-1-of-3: interval\(s\) 0 of/);
    const checks = (JSON.parse(readFileSync(join(damaged, 'summary.json'), 'utf8')) as RunSummary).scenarios[0]!.cases[0]!.checks;
    expect(checks.find((c) => c.name === 'driver')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/shard-0-of-3: event-loop delay/),
    });
    expect(checks.find((c) => c.name === 'start')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/shard-2-of-3 started 4\.0 s after/),
    });
    expect(checks.find((c) => c.name === 'intervals')?.ok).toBe(false);

    // One shard's output gone: reported missing, non-zero exit, the summary says so.
    rmSync(join(three, 'shard-1-of-3'), { recursive: true });
    const partial = await runCli(['merge', three]);
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/missing: shard-1-of-3/);
    const summary = JSON.parse(readFileSync(join(three, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.status).toBe('fail');
    expect(summary.incomplete).toMatch(/1 of 3 shards missing/);
  }, 240_000);

  it('--workers 2 runs two local shards and merges them', async () => {
    const out = join(dir, 'two');
    const r = await runCli(['bench', file, '--target', target.url, '--workers', '2', '--report-dir', out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\[0\/2\][\s\S]*\[1\/2\]|\[1\/2\][\s\S]*\[0\/2\]/);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.scenarios[0]!.cases[0]!.checks.find((c) => c.name === 'shards')?.message).toMatch(/^2 of 2 shards merged/);
    expect(measurements(out).get('streams')).toBe(39);
  }, 240_000);
});
