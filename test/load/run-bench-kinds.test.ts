// Soak, http-load and --target runs end to end with small counts: the machinery and the report
// shape, never the figures themselves.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway } from '../../src/gateway/server.ts';
import type { RunSummary } from '../../src/checks/result.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-bench-'));
  mkdirSync(join(dir, 'fixtures/openai'), { recursive: true });
  for (const f of ['text-usage.yaml', 'text-usage.normalize.sse', 'non-stream.yaml', 'non-stream.normalize.json']) {
    copyFileSync(join(REPO_ROOT, 'fixtures/openai', f), join(dir, 'fixtures/openai', f));
  }
  return dir;
}

function only(summary: RunSummary) {
  const c = summary.scenarios[0]!.cases[0]!;
  return { c, m: new Map((c.measurements ?? []).map((x) => [x.name, x.value])) };
}

const relaxed = 'driver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }\n';

describe('kind: soak', () => {
  it('streams at least N tokens and compares heap after GC with heap after warm-up', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'soak.yaml'),
      `kind: soak\nname: tiny-soak\nsynthetic: { tokens: 40 }\nconcurrency: 4\ntokens: 1000\nmaxSeconds: 20\nwarmup: { requests: 4 }\n${relaxed}thresholds:\n  tokens_streamed: ">= 1000"\n  errors: "== 0"\n  lost_frames: "== 0"\n`,
    );
    const r = await runCli(['run', join(dir, 'soak.yaml'), '--report-dir', join(dir, 'r')]);
    expect(r.code, r.stdout).toBe(0);
    const { c, m } = only(JSON.parse(readFileSync(join(dir, 'r/summary.json'), 'utf8')));
    expect(m.get('tokens_streamed')).toBe(1000); // 25 streams of 40 tokens
    for (const name of ['heap_after_warmup_mb', 'heap_after_run_mb', 'heap_growth_mb', 'rss_growth_mb', 'gateway_heap_max_mb'])
      expect(m.has(name), name).toBe(true);
    expect(c.checks.find((k) => k.name === 'memory')?.detail).toMatch(/rss\(MB\)/);
    // Linux: the soak is judged on dropped connection attempts too.
    expect(c.checks.some((k) => k.name === 'connections')).toBe(existsSync('/proc/net/netstat'));
  });
});

describe('kind: http-load', () => {
  it('runs autocannon on the non-streaming path and compares every body with the golden', async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, 'http.yaml'),
      `kind: http-load\nname: tiny-http\nfixtures: [fixtures/openai/non-stream.yaml]\nconnections: 2\nduration: { seconds: 1, requests: 40 }\nwarmupSeconds: 0\n${relaxed}thresholds:\n  errors: "== 0"\n  mismatches: "== 0"\n  non_2xx: "== 0"\n`,
    );
    const r = await runCli(['run', join(dir, 'http.yaml'), '--report-dir', join(dir, 'r')]);
    expect(r.code, r.stdout).toBe(0);
    const { m } = only(JSON.parse(readFileSync(join(dir, 'r/summary.json'), 'utf8')));
    expect(m.get('requests')).toBeGreaterThan(0);
    expect(m.get('requests')).toBeLessThanOrEqual(42);
    expect(m.has('latency_p99_ms')).toBe(true);
  });

  it('counts bodies that differ from a corrupted golden as mismatches', async () => {
    const dir = workspace();
    const golden = join(dir, 'fixtures/openai/non-stream.normalize.json');
    writeFileSync(golden, readFileSync(golden, 'utf8').replace('crème', 'creme'));
    writeFileSync(
      join(dir, 'http.yaml'),
      `kind: http-load\nname: tiny-http\nfixtures: [fixtures/openai/non-stream.yaml]\nconnections: 2\nduration: { seconds: 1, requests: 20 }\nwarmupSeconds: 0\n${relaxed}thresholds:\n  mismatches: "== 0"\n`,
    );
    const r = await runCli(['run', join(dir, 'http.yaml'), '--report-dir', join(dir, 'r')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/threshold:mismatches: mismatches = [1-9]/);
  });
});

describe('load --target', () => {
  it('drives an external gateway with the replay upstream behind it; gateway memory is not applicable', async () => {
    const dir = workspace();
    const replayPort = await freePort();
    const addresses = { baseUrl: (slot: string) => `http://127.0.0.1:${replayPort}/p/${slot}` } as Pick<ReplayUpstream, 'baseUrl'>;
    const gateway = await startGateway(harnessGatewayConfig(addresses as ReplayUpstream, 'normalize'));
    try {
      writeFileSync(
        join(dir, 'load.yaml'),
        `kind: load\nname: external\nfixtures: [fixtures/openai/text-usage.yaml]\nload: { model: constant, rate: 100, maxInFlight: 20 }\nduration: { seconds: 5, requests: 20 }\ncompare: direct\n${relaxed}thresholds:\n  errors: "== 0"\n  mismatched_streams: "== 0"\n  gateway_buffered_max_mb: "< 2"\n`,
      );
      const r = await runCli([
        'run',
        join(dir, 'load.yaml'),
        '--target',
        gateway.url,
        '--replay-port',
        String(replayPort),
        '--report-dir',
        join(dir, 'r'),
      ]);
      expect(r.code, r.stdout).toBe(0);
      const { c, m } = only(JSON.parse(readFileSync(join(dir, 'r/summary.json'), 'utf8')));
      expect(m.get('streams')).toBe(20);
      expect(m.has('added_ttft_p99_ms')).toBe(true);
      expect(m.has('schedule_delay_p99_ms')).toBe(true);
      expect(m.has('gateway_rss_max_mb')).toBe(false);
      expect(c.checks.find((k) => k.name === 'scope')?.message).toMatch(/external target/);
      expect(c.checks.find((k) => k.name === 'threshold:gateway_buffered_max_mb')).toMatchObject({
        ok: true,
        message: expect.stringMatching(/^not checked/),
      });
    } finally {
      await gateway.close();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
