// `streamproof run` end to end: the shipped scenarios pass; one changed byte in a golden or a
// cassette fails the run and names the case, offset and event; bad input exits 2 with file:line.
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import type { ReplayUpstream } from '../../src/replay/upstream.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';
import { runCli } from '../helpers/cli.ts';
import { findScenarioFiles } from '../../src/scenario/load.ts';

/** A private copy of scenarios/ and fixtures/ that a test may break. */
function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'streamproof-run-'));
  cpSync(join(REPO_ROOT, 'scenarios'), join(dir, 'scenarios'), { recursive: true });
  cpSync(join(REPO_ROOT, 'fixtures'), join(dir, 'fixtures'), { recursive: true });
  return dir;
}

const FIXTURE = 'fixtures/openai/text-usage';

/** The workspace's openai-compatible scenario, cut down to the openai cassettes (a faster run). */
function openaiScenario(dir: string): string {
  const file = join(dir, 'scenarios', 'openai-compatible.yaml');
  const text = readFileSync(file, 'utf8');
  const narrowed = text.replace(/^ {2}- \.\.\/fixtures\/(?!openai\/).*\n/gm, '');
  expect(narrowed).not.toBe(text);
  writeFileSync(file, narrowed);
  return file;
}

describe('streamproof run', () => {
  // The shipped fault scenarios run in test/faults/scenarios.test.ts and the fuzz properties in
  // test/fuzz/properties.test.ts; here every other shipped scenario runs through the CLI.
  it('passes every shipped scenario and writes the reports', { timeout: 180_000 }, async () => {
    const reports = mkdtempSync(join(tmpdir(), 'streamproof-reports-'));
    const files = findScenarioFiles([join(REPO_ROOT, 'scenarios')]).filter((f) => !/\/faults\/|\/fuzz\.yaml$/.test(f));
    expect(files.length).toBeGreaterThan(5);
    const r = await runCli(['run', ...files, '--report-dir', reports]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+openai\/text-usage \[normalize\]/);
    expect(r.stdout).toContain(`reports: `);
    expect(readdirSync(reports).sort()).toEqual(['junit.xml', 'report.html', 'summary.json', 'summary.md']);
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8'));
    expect(summary.version).toBe(1);
    expect(summary.totals.failed).toBe(0);
  });

  it('runs the shipped fuzz scenario (fewer runs) as a scenario kind', { timeout: 60_000 }, async () => {
    const dir = workspace();
    const file = join(dir, 'scenarios', 'fuzz.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^runs: \d+$/m);
    writeFileSync(file, text.replace(/^runs: \d+$/m, 'runs: 5'));
    const r = await runCli(['run', file, '--report-dir', join(dir, 'reports')]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/PASS\s+chunking \/ openai/);
  });

  it('fails on one changed byte of a golden, naming case, offset and event', async () => {
    const dir = workspace();
    const golden = join(dir, `${FIXTURE}.normalize.sse`);
    const bytes = readFileSync(golden);
    const offset = bytes.indexOf('Hello');
    bytes[offset] = 'J'.charCodeAt(0);
    writeFileSync(golden, bytes);
    const r = await runCli(['run', openaiScenario(dir), '--report-dir', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+openai\/text-usage \[normalize\]/);
    expect(r.stdout).toContain(`golden: output differs from golden at byte ${offset} (event 1;`);
    expect(readFileSync(join(dir, 'reports', 'summary.md'), 'utf8')).toContain('Jello');
  });

  it('fails on one changed byte of a cassette chunk', async () => {
    const dir = workspace();
    const file = join(dir, `${FIXTURE}.yaml`);
    writeFileSync(file, readFileSync(file, 'utf8').replace('"content":" there,"', '"content":" there;"'));
    const r = await runCli(['run', openaiScenario(dir), '--report-dir', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/golden: output differs from golden at byte \d+ \(event 2;/);
    expect(r.stdout).toMatch(/FAIL\s+openai\/text-usage \[passthrough\]/);
  });

  it('exits 2 naming the file and line of a malformed scenario', async () => {
    const dir = workspace();
    const file = join(dir, 'scenarios', 'openai-compatible.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('modes: [normalize, passthrough]', 'modes: [normalize, sideways]'));
    const r = await runCli(['run', join(dir, 'scenarios')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:\\d+: modes\\[1\\]: `));
  });

  it('exits 2 naming the file and line of a malformed cassette', async () => {
    const dir = workspace();
    const file = join(dir, `${FIXTURE}.yaml`);
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('data: \'{"id":"chatcmpl-'));
    lines[at] = lines[at]!.replace('data:', 'dta:');
    writeFileSync(file, lines.join('\n'));
    const r = await runCli(['run', join(dir, 'scenarios')]);
    expect(r.code).toBe(2);
    // The unknown key makes the chunk invalid: the error names the chunk, on the key's own line.
    expect(r.stderr).toContain(`${file}:${at + 1}: response.chunks[0]: Unrecognized key: "dta"`);
  });

  it('exits 2 naming the file, line and known providers for a misspelt provider', async () => {
    const dir = workspace();
    const file = join(dir, `${FIXTURE}.yaml`);
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.indexOf('provider: openai');
    expect(at).toBeGreaterThan(-1);
    lines[at] = 'provider: opneai';
    writeFileSync(file, lines.join('\n'));
    const r = await runCli(['run', openaiScenario(dir)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:${at + 1}: provider: unknown provider "opneai" (known: openai, `);
  });

  it('--update-goldens writes goldens only for cases whose own checks hold, and says which', async () => {
    const dir = workspace();
    const cassette = join(dir, `${FIXTURE}.yaml`);
    // A reviewed expectation the output does not meet: that case's output must not become its golden.
    writeFileSync(cassette, readFileSync(cassette, 'utf8').replace('text: "Hello there, friend! 👋"', 'text: "Goodbye"'));
    const golden = join(dir, `${FIXTURE}.normalize.sse`);
    const before = readFileSync(golden);
    writeFileSync(golden, 'stale');
    const okGolden = join(dir, 'fixtures/openai/refusal.normalize.sse');
    const okBefore = readFileSync(okGolden);
    const r = await runCli(['run', openaiScenario(dir), '--update-goldens', '--report-dir', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(readFileSync(golden, 'utf8')).toBe('stale');
    expect(r.stderr).toContain(`golden refused: `);
    expect(r.stderr).toMatch(/golden refused: \S*text-usage\.normalize\.sse \(semantic: text: expected "Goodbye"/);
    expect(r.stdout).toContain('golden not written, the case');
    expect(r.stderr).toMatch(/golden written: \S*refusal\.normalize\.sse/);
    expect(readFileSync(okGolden)).toEqual(okBefore);
    expect(before.length).toBeGreaterThan(0);
  });

  it('exits 2 on an unknown flag', async () => {
    const r = await runCli(['run', '--frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: streamproof run');
  });
});

describe('streamproof run --target', () => {
  let gateway: RunningGateway;
  let replayPort: number;

  beforeAll(async () => {
    replayPort = await freePort();
    // The external gateway is configured, as a real one would be, with the replay URLs the run prints.
    const replay = { baseUrl: (slot: string) => `http://127.0.0.1:${replayPort}/p/${slot}` } as ReplayUpstream;
    gateway = await startGateway(harnessGatewayConfig(replay, 'normalize'));
  });
  afterAll(() => gateway.close());

  it('runs the scenarios against a gateway by URL with a target profile', async () => {
    const dir = workspace();
    const profile = join(dir, 'profile.yaml');
    writeFileSync(profile, readFileSync(join(REPO_ROOT, 'profiles', 'reference.yaml')));
    const r = await runCli([
      'run',
      join(dir, 'scenarios', 'openai-compatible.yaml'),
      '--target',
      gateway.url,
      '--target-profile',
      profile,
      '--replay-port',
      String(replayPort),
      '--report-dir',
      join(dir, 'reports'),
    ]);
    expect(r.stdout).toContain(`openai             http://127.0.0.1:${replayPort}/p/openai`);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).not.toContain('[passthrough]');
  });

  it('reports scenarios that cannot test the target as skipped, never as passes', async () => {
    const dir = workspace();
    const reports = join(dir, 'reports');
    const r = await runCli([
      'run',
      join(dir, 'scenarios', 'fuzz.yaml'),
      join(dir, 'scenarios', 'faults', 'retry.yaml'),
      '--target',
      gateway.url,
      '--replay-port',
      String(replayPort),
      '--report-dir',
      reports,
    ]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/SKIP {2}fuzz \(skipped: fuzzing drives the reference gateway's stream pipelines in-process/);
    expect(r.stdout).toMatch(/SKIP {2}faults-retry \(skipped: /);
    expect(r.stdout).toContain('0 cases: 0 passed, 0 failed (2 scenarios, 2 skipped)');
    const summary = JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8'));
    expect(summary.totals).toMatchObject({ cases: 0, passed: 0, skipped: 2 });
    expect(summary.scenarios.map((s: { status: string }) => s.status)).toEqual(['skip', 'skip']);
    const junit = readFileSync(join(reports, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites name="streamproof" tests="2" failures="0" errors="0" skipped="2"/);
    expect(junit.match(/<skipped message=/g)).toHaveLength(2);
    expect(readFileSync(join(reports, 'summary.md'), 'utf8')).toContain('skipped: fuzzing drives');
  });
});

describe('streamproof run --target at a target that is down or broken', () => {
  it('exits 2 at once when nothing listens on the target port', async () => {
    const port = await freePort();
    const started = performance.now();
    const r = await runCli(['run', join(REPO_ROOT, 'scenarios', 'openai-compatible.yaml'), '--target', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `streamproof run: --target http://127.0.0.1:${port}: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); is the gateway running?\n`,
    );
    expect(performance.now() - started).toBeLessThan(20_000); // a bound on hanging, not a benchmark
  });

  it('a target that drops every request fails each case once, naming the drop and the missing upstream call', async () => {
    const server = createServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = workspace();
      const scenario = join(dir, 'scenarios', 'one.yaml');
      writeFileSync(scenario, 'kind: parity\nname: one\nfixtures: [../fixtures/openai/text-usage.yaml]\n');
      const r = await runCli(['run', scenario, '--target', `http://127.0.0.1:${port}`, '--report-dir', join(dir, 'reports')]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/FAIL {2}openai\/text-usage \[normalize\]/);
      expect(r.stdout).toMatch(/status: recorded: .*(ECONNRESET|UND_ERR_SOCKET|other side closed)/);
      expect(r.stdout).toContain('the target never called the replay upstream: is it configured with base URL http://127.0.0.1:');
      expect(r.stdout).not.toContain('bytewise'); // the re-chunkings were not tried against a target that gave no answer
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

/** Runs the one-cassette scenario against a server; returns the CLI result and the reports dir. */
async function runAgainst(handler: Parameters<typeof createHttpServer>[1]) {
  const server = createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const dir = workspace();
    const scenario = join(dir, 'scenarios', 'one.yaml');
    writeFileSync(scenario, 'kind: parity\nname: one\nfixtures: [../fixtures/openai/text-usage.yaml]\n');
    const reports = join(dir, 'reports');
    const r = await runCli(['run', scenario, '--target', `http://127.0.0.1:${port}`, '--report-dir', reports]);
    return { r, reports };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('streamproof run --target at a target that answers an error', () => {
  it('shows the status line, headers and body in the console and in summary.md', async () => {
    const body = JSON.stringify({ error: { message: 'no route for model gpt-4o-mini', type: 'invalid_request_error' } });
    const { r, reports } = await runAgainst((req, res) => {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json', 'x-gateway': 'test' });
      res.end(body);
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'status: recorded: status 500, expected 200: {\\"error\\":{\\"message\\":\\"no route for model gpt-4o-mini\\"',
    );
    const md = readFileSync(join(reports, 'summary.md'), 'utf8');
    expect(md).toContain('HTTP 500');
    expect(md).toContain('x-gateway: test');
    expect(md).toContain(body);
  });
});

describe('streamproof run --target at a hostile target', () => {
  it('one 10 MB line fails the case, naming the limit, and the report is written', async () => {
    const { r, reports } = await runAgainst((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${'x'.repeat(10 * 1024 * 1024)}\n\n`);
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/SSE line longer than \d+ bytes/);
    expect(JSON.parse(readFileSync(join(reports, 'summary.json'), 'utf8')).totals.failed).toBe(1);
  });

  it('a stream that never ends fails the case at the body bound instead of exhausting memory', async () => {
    const { r } = await runAgainst((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = Buffer.from(`data: {"choices":[{"index":0,"delta":{"content":"${'y'.repeat(4000)}"}}]}\n\n`);
      // Bounded here too: far past the client's 64 MiB cap, then stop.
      let left = 40_000;
      const pump = () => {
        while (left-- > 0) if (!res.write(chunk)) return void res.once('drain', pump);
        res.end();
      };
      pump();
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('the response body passed 67108864 bytes; stopped reading');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
