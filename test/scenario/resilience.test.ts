// `kind: resilience`: bad scenario files exit 2 naming file and line; what a client ended with is
// judged strictly; and a small real run on loopback (gateway process, replay upstream, clients)
// reports every measurement, with a threshold that cannot hold failing the case.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../src/checks/result.ts';
import { firstAttemptFailures, soakFaults } from '../../src/scenario/kinds/resilience/faults.ts';
import { judgeClient, judgeResponse } from '../../src/scenario/kinds/resilience/outcome.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-resilience-'));
  for (const provider of ['openai', 'anthropic']) {
    mkdirSync(join(dir, 'fixtures', provider), { recursive: true });
    for (const f of ['text-usage.yaml', 'text-usage.normalize.sse'])
      copyFileSync(join(REPO_ROOT, 'fixtures', provider, f), join(dir, 'fixtures', provider, f));
  }
  return dir;
}

/** A small run: short gateway clocks, few streams, one round, no idle wait before the snapshot. */
const SMALL = [
  'kind: resilience',
  'name: small-resilience',
  'fixtures: [fixtures/openai/text-usage.yaml]',
  'gateway:',
  '  timeouts: { firstByteMs: 200, idleMs: 200 }',
  '  heapMb: 128',
  'warmup: { streams: 8 }',
  'recovery: { streams: 16, concurrency: 8 }',
  'soak: { streams: 40, rounds: 1, faultRate: 0.5, speed: 0 }',
  'settle: { closeSeconds: 5, idleSeconds: 0 }',
  'streamSeconds: 10',
  'maxSeconds: 30',
  'driver: { maxEventLoopDelayP99Ms: 1000, maxEventLoopUtilization: 1 }',
];

function write(dir: string, lines: readonly string[]): string {
  const file = join(dir, 'resilience.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** 1-based line of the first line containing `text`. */
const lineOf = (lines: readonly string[], text: string) => lines.findIndex((l) => l.includes(text)) + 1;

describe('kind: resilience, bad input', () => {
  it('exits 2 naming file and line of a field out of range', async () => {
    const dir = workspace();
    const lines = SMALL.map((l) => (l.startsWith('soak:') ? 'soak: { streams: 40, rounds: 1, faultRate: 1.5 }' : l));
    const file = write(dir, lines);
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${lineOf(lines, 'faultRate')}: soak.faultRate: `);
  });

  it('exits 2 on a threshold naming something a resilience run does not measure', async () => {
    const dir = workspace();
    for (const name of ['recovery_p98_ms', 'added_ttft_p99_ms']) {
      const lines = [...SMALL, 'thresholds:', '  recovery_p99_ms: "< 50"', `  ${name}: "< 5"`];
      const file = write(dir, lines);
      const r = await runCli(['run', file]);
      expect(r.code, name).toBe(2);
      expect(r.stderr).toContain(`${file}:${lineOf(lines, name)}: thresholds.${name}: a resilience scenario measures no "${name}"`);
    }
  });

  it('exits 2 on a malformed threshold and on a second cassette', async () => {
    const dir = workspace();
    const bad = [...SMALL, 'thresholds:', '  recovery_p99_ms: "under 50"'];
    let file = write(dir, bad);
    let r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}:${lineOf(bad, 'under 50')}: thresholds.recovery_p99_ms: threshold recovery_p99_ms: "under 50" is not`,
    );
    const two = SMALL.map((l) =>
      l.startsWith('fixtures:') ? 'fixtures: [fixtures/openai/text-usage.yaml, fixtures/anthropic/text-usage.yaml]' : l,
    );
    file = write(dir, two);
    r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${lineOf(two, 'fixtures:')}: fixtures: `);
  });

  it('exits 2 before any traffic on a cassette that is not OpenAI', async () => {
    const dir = workspace();
    const file = write(
      dir,
      SMALL.map((l) => (l.startsWith('fixtures:') ? 'fixtures: [fixtures/anthropic/text-usage.yaml]' : l)),
    );
    const r = await runCli(['run', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}: anthropic/text-usage: a resilience run needs an OpenAI cassette`));
  });
});

describe('kind: resilience, the shipped benchmark', () => {
  it('is valid, at the sizes the resilience script used, with the targets gated', () => {
    const { scenario, fixtureFiles } = loadScenario(join(REPO_ROOT, 'scenarios/bench/resilience.yaml'));
    expect(scenario.kind).toBe('resilience');
    if (scenario.kind !== 'resilience') return;
    expect(fixtureFiles).toEqual([join(REPO_ROOT, 'fixtures/openai/text-usage.yaml')]);
    expect(scenario.soak).toEqual({ streams: 1000, rounds: 3, faultRate: 0.1, speed: 1 });
    expect(scenario.recovery).toEqual({ streams: 400, concurrency: 8 });
    expect(scenario.gateway.heapMb).toBe(256);
    expect(scenario.thresholds).toMatchObject({
      recovery_p50_ms: '< 50',
      recovery_p99_ms: '< 50',
      upstream_requests_left_open: '== 0',
      live_heap_growth_mb: '< 4',
    });
  });
});

describe('kind: resilience, what a client ended with', () => {
  const golden = readFileSync(join(REPO_ROOT, 'fixtures/openai/text-usage.normalize.sse'));
  const events = golden.toString('utf8').split(/(?<=\n\n)/);
  const errorEvent = 'data: {"error":{"message":"upstream stream failed","type":"server_error","param":null,"code":null}}\n\n';

  it('takes the golden byte for byte, and nothing else that ends with [DONE]', () => {
    expect(judgeResponse(200, golden, golden)).toEqual({ verdict: 'golden' });
    const changed = Buffer.from(golden);
    changed[changed.indexOf('Hello')] = 'J'.charCodeAt(0);
    expect(judgeResponse(200, changed, golden).verdict).toBe('broken');
    expect(judgeResponse(200, Buffer.from(events.slice(0, 3).join('')), golden)).toMatchObject({
      verdict: 'broken',
      reason: 'no terminal error event',
    });
  });

  it('takes a golden prefix ended by an error event, and nothing after it', () => {
    const cut = events.slice(0, 3).join('');
    expect(judgeResponse(200, Buffer.from(cut + errorEvent), golden)).toEqual({
      verdict: 'error',
      reason: 'error event: upstream stream failed',
    });
    expect(judgeResponse(200, Buffer.from(`${cut}${errorEvent}data: [DONE]\n\n`), golden)).toMatchObject({ verdict: 'broken' });
    const wrongPrefix = events[0]! + events[2]! + errorEvent;
    expect(judgeResponse(200, Buffer.from(wrongPrefix), golden)).toMatchObject({
      verdict: 'broken',
      reason: 'events before the terminal error differ from the golden',
    });
  });

  it('takes an error status only with an OpenAI error body', () => {
    const body = Buffer.from('{"error":{"message":"all attempts failed","type":"server_error","param":null,"code":null}}');
    expect(judgeResponse(503, body, golden)).toEqual({ verdict: 'error', reason: '503 all attempts failed' });
    expect(judgeResponse(502, Buffer.from('Bad Gateway'), golden).verdict).toBe('broken');
    expect(judgeResponse(503, Buffer.from('{"error":{"message":"x"}}'), golden).verdict).toBe('broken');
    expect(judgeResponse(302, Buffer.alloc(0), golden).verdict).toBe('broken');
  });

  it('tells a client that left from one that was cut off', () => {
    expect(judgeClient({ status: 200, body: Buffer.from(events[0]!), aborted: true }, golden)).toEqual({ verdict: 'aborted' });
    expect(judgeClient({ status: 200, body: Buffer.from(events[0]!), aborted: false, error: 'UND_ERR_SOCKET' }, golden)).toEqual({
      verdict: 'broken',
      reason: 'transport: UND_ERR_SOCKET',
    });
  });
});

describe('kind: resilience, a small run on loopback', () => {
  it('measures recovery per fault and the soak, and fails the case on a threshold that cannot hold', { timeout: 60_000 }, async () => {
    const dir = workspace();
    const file = write(dir, [
      ...SMALL,
      'thresholds:',
      '  recovery_broken: "== 0"',
      '  soak_broken: "== 0"',
      '  soak_unexpected: "== 0"',
      '  upstream_requests_left_open: "== 0"',
      '  recovery_p50_ms: "< 0"', // a recovery takes time: this one cannot hold
    ]);
    const r = await runCli(['run', file, '--report-dir', join(dir, 'r')]);
    expect(r.code, r.stdout).toBe(1);
    const summary = JSON.parse(readFileSync(join(dir, 'r/summary.json'), 'utf8')) as RunSummary;
    const c = summary.scenarios[0]!.cases[0]!;
    expect(c.status).toBe('fail');
    const failed = c.checks.filter((k) => !k.ok);
    expect(
      failed.map((k) => k.name),
      JSON.stringify(failed),
    ).toEqual(['threshold:recovery_p50_ms']);
    expect(r.stdout).toMatch(/threshold:recovery_p50_ms: recovery_p50_ms = \d+(\.\d+)? ms, target < 0/);

    const m = new Map((c.measurements ?? []).map((x) => [x.name, x.value]));
    expect(m.get('recovery_streams')).toBe(16);
    expect(m.get('recovery_broken')).toBe(0);
    expect(m.get('recovery_p50_ms')).toBeGreaterThan(0);
    for (const f of firstAttemptFailures(10_000))
      for (const p of ['p50', 'p99', 'max']) expect(m.has(`recovery_${f.slug}_${p}_ms`), `recovery_${f.slug}_${p}_ms`).toBe(true);
    // 20 of the 40 soak streams faulted, one of each kind: 6 end in an error, 3 clients leave.
    expect(soakFaults(8, 10_000)).toHaveLength(20);
    expect(m.get('soak_streams')).toBe(40);
    expect(m.get('soak_terminal_errors')).toBe(6);
    expect(m.get('soak_aborted')).toBe(3);
    expect(m.get('soak_golden')).toBe(31);
    expect(m.get('soak_broken')).toBe(0);
    expect(m.get('soak_unexpected')).toBe(0);
    expect(m.get('upstream_requests_left_open')).toBe(0);
    expect(m.get('live_heap_before_mb')).toBeGreaterThan(1);
    for (const name of [
      'live_heap_after_mb',
      'live_heap_growth_mb',
      'gateway_rss_max_mb',
      'gateway_in_flight_max',
      'gateway_recovery_mean_ms',
    ])
      expect(m.has(name), name).toBe(true);
    expect(c.checks.find((k) => k.name === 'outcomes')?.detail).toMatch(/client abort mid-stream\s+1\s+0\s+0\s+1\s+0\s+0/);
  });
});
