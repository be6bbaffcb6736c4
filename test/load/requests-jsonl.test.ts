// --requests: requests.jsonl through the CLI. A small load run (direct and gateway phases, the
// reference gateway) writes one parseable line per measured stream with its fields present and
// sane; a run without the flag writes none; two shards each write their own and merge
// concatenates them in shard order. No wall-clock figure is asserted.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/checks/result.ts';
import type { RequestLine } from '../../src/load/request-log.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';
import { startChatStreamServer } from '../helpers/chat-stream-server.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-requests-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'fixtures/openai'), { recursive: true });
  for (const f of ['text-usage.yaml', 'text-usage.normalize.sse'])
    copyFileSync(join(REPO_ROOT, 'fixtures/openai', f), join(dir, 'fixtures/openai', f));
  return dir;
}

function measurements(reports: string): Map<string, number> {
  const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary;
  return new Map(summary.scenarios.flatMap((s) => s.cases.flatMap((c) => (c.measurements ?? []).map((m) => [m.name, m.value] as const))));
}

function readLines(file: string): RequestLine[] {
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as RequestLine);
}

function expectSane(line: RequestLine): void {
  for (const k of ['scenario', 'case', 'phase'] as const) expect(typeof line[k], k).toBe('string');
  for (const k of ['intended_start_ms', 'schedule_delay_ms', 'tokens', 'events', 'bytes', 'status'] as const) {
    expect(typeof line[k], k).toBe('number');
    expect(line[k], k).toBeGreaterThanOrEqual(0);
  }
  expect(line.status).toBe(200);
  expect(line.error).toBeNull();
  expect(line.cut).toBe(false);
  expect(line.tokens).toBeGreaterThan(0);
  expect(line.events).toBeGreaterThanOrEqual(line.tokens);
  expect(line.bytes).toBeGreaterThan(0);
  expect(line.ttfb_ms).not.toBeNull();
  expect(line.ttft_ms).not.toBeNull();
  expect(line.e2e_ms).not.toBeNull();
  expect(line.ttfb_ms!).toBeLessThanOrEqual(line.ttft_ms!);
  expect(line.ttft_ms!).toBeLessThanOrEqual(line.e2e_ms!);
  const itl = line.itl;
  expect(itl.count).toBe(line.tokens - 1); // a gap between each two content events
  if (itl.count > 0) {
    expect(itl.p50_ms!).toBeLessThanOrEqual(itl.p95_ms!);
    expect(itl.p95_ms!).toBeLessThanOrEqual(itl.max_ms!);
    expect(itl.max_ms!).toBeLessThanOrEqual(line.e2e_ms!);
  }
}

describe('requests.jsonl', () => {
  it('--requests writes one sane line per measured stream of every phase; without it, no file', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'load.yaml'),
      `kind: load
name: small
fixtures: [fixtures/openai/text-usage.yaml]
load: { model: closed, concurrency: 3 }
duration: { seconds: 10, requests: 15 }
warmup: { requests: 3 }
compare: direct
driver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }
`,
    );
    const reports = join(dir, 'with');
    const r = await runCli(['run', join(dir, 'load.yaml'), '--requests', '--report-dir', reports]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const m = measurements(reports);
    const lines = readLines(join(reports, 'requests.jsonl'));
    const gateway = lines.filter((l) => l.phase === 'gateway');
    const direct = lines.filter((l) => l.phase === 'direct');
    expect(gateway.length).toBe(m.get('streams'));
    expect(direct.length).toBe(m.get('direct_streams'));
    expect(gateway.length).toBe(12); // 15 requests, 3 of them warm-up
    expect(lines.length).toBe(gateway.length + direct.length);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')) as RunSummary;
    const caseName = summary.scenarios[0]!.cases[0]!.name;
    for (const line of lines) {
      expectSane(line);
      expect(line.scenario).toBe('small');
      expect(line.case).toBe(caseName);
      expect(line.shard).toBeUndefined();
    }

    const without = join(dir, 'without');
    const plain = await runCli(['run', join(dir, 'load.yaml'), '--report-dir', without]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(existsSync(join(without, 'summary.json'))).toBe(true);
    expect(existsSync(join(without, 'requests.jsonl'))).toBe(false);
  }, 60_000);

  it('shards write their own requests.jsonl and merge concatenates them in shard order', async () => {
    const target = await startChatStreamServer({ chunks: 10, gapMs: 2 });
    try {
      const dir = workspace();
      const file = join(dir, 'sharded.yaml');
      writeFileSync(
        file,
        `kind: load
name: sharded
synthetic: { tokens: 10 }
upstream: live
load: { model: poisson, rate: 60, seed: 3, maxInFlight: 100 }
duration: { seconds: 10, requests: 24 }
warmup: { requests: 4 }
driver: { maxEventLoopDelayP99Ms: 5000, maxEventLoopUtilization: 1 }
`,
      );
      const out = join(dir, 'run');
      for (const i of [1, 0]) {
        const s = await runCli([
          'run',
          file,
          '--target',
          target.url,
          '--shard',
          `${i}/2`,
          '--run-id',
          'r',
          '--start-at',
          'now',
          '--requests',
          '--report-dir',
          out,
        ]);
        expect(s.code, s.stdout + s.stderr).toBe(0);
      }
      const perShard = [0, 1].map((i) => readLines(join(out, `shard-${i}-of-2`, 'requests.jsonl')));
      for (const [i, lines] of perShard.entries()) {
        expect(lines.length).toBeGreaterThan(0);
        for (const l of lines) {
          expectSane(l);
          expect(l.shard).toBe(i);
          expect(l.phase).toBe('gateway');
        }
      }
      const merged = await runCli(['merge', out]);
      expect(merged.code, merged.stdout + merged.stderr).toBe(0);
      const all = readLines(join(out, 'requests.jsonl'));
      expect(all).toEqual([...perShard[0]!, ...perShard[1]!]);
      expect(all.length).toBe(measurements(out).get('streams'));
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
      for (const l of all) expect(l.case).toBe(summary.scenarios[0]!.cases[0]!.name);
    } finally {
      await target.close();
    }
  }, 60_000);
});
