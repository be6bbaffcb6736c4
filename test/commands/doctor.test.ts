// `streamproof doctor`: against the reference gateway every provider routes; against a gateway
// wired wrongly each provider's line says what went wrong and how to fix it; a closed port exits 2.
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { providerNames } from '../../src/providers/index.ts';
import type { ReplayUpstream } from '../../src/replay/upstream.ts';
import { targetProfileSchema } from '../../src/target/profile.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { runCli } from '../helpers/cli.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The YAML after the "# suggested profile" line, parsed as a target profile. */
function suggestedProfile(stdout: string) {
  const at = stdout.indexOf('# suggested profile');
  expect(at, stdout).toBeGreaterThan(0);
  return targetProfileSchema.parse(parse(stdout.slice(at)));
}

/** The gateway a run would put under test, configured with a fixed replay port (as a real one would be). */
async function referenceGatewayOn(replayPort: number, rewire: (slot: string, url: string) => string = (_, url) => url) {
  const replay = { baseUrl: (slot: string) => rewire(slot, `http://127.0.0.1:${replayPort}/p/${slot}`) } as ReplayUpstream;
  return startGateway(harnessGatewayConfig(replay, 'normalize'));
}

describe('streamproof doctor against the reference gateway', () => {
  let gateway: RunningGateway;
  let replayPort: number;
  beforeAll(async () => {
    replayPort = await freePort();
    gateway = await referenceGatewayOn(replayPort);
  });
  afterAll(() => gateway.close());

  it('finds every provider routed, answering 200 with a stream, and suggests the profile as it is', { timeout: 30_000 }, async () => {
    const r = await runCli(['doctor', '--target', gateway.url, '--replay-port', String(replayPort)]);
    expect(r.stderr).toBe('');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('reachable: yes');
    expect(r.stdout).toContain(`replay upstream: http://127.0.0.1:${replayPort}`);
    for (const p of providerNames())
      expect(r.stdout).toMatch(new RegExp(`^${p} +yes +200 text/event-stream; charset=utf-8 +data: \\{`, 'm'));
    expect(r.stdout).toContain(
      `${providerNames().length} of ${providerNames().length} provider(s) routed to the replay upstream and answered 2xx`,
    );
    const profile = suggestedProfile(r.stdout);
    expect(profile.providers).toEqual({ '*': { model: '{provider}/{model}', headers: {} } });
    expect(profile.upstream).toBe('config');
  });
});

describe('streamproof doctor against a gateway wired wrongly', () => {
  let gateway: RunningGateway;
  let replayPort: number;
  beforeAll(async () => {
    replayPort = await freePort();
    // openai's route points at xai's slot; anthropic's base URL has a path segment too many;
    // gemini's lacks the /p/<provider> prefix altogether.
    gateway = await referenceGatewayOn(replayPort, (slot, url) => {
      if (slot === 'openai') return url.replace('/p/openai', '/p/xai');
      if (slot === 'anthropic') return `${url}/v1`;
      if (slot === 'gemini') return url.replace('/p/gemini', '');
      return url;
    });
  });
  afterAll(() => gateway.close());

  it('says per provider where the request went and how to fix it; the profile keeps only what routed', { timeout: 30_000 }, async () => {
    const args = ['doctor', '--target', gateway.url, '--replay-port', String(replayPort)];
    for (const p of ['openai', 'anthropic', 'gemini', 'backendai']) args.push('--provider', p);
    const r = await runCli(args);
    expect(r.code, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/^openai +no +/m);
    expect(r.stdout).toContain(
      "openai: the target called another provider's slot (xai: POST /v1/chat/completions): the route for this model points at the wrong base URL",
    );
    expect(r.stdout).toMatch(/^anthropic +yes +/m);
    expect(r.stdout).toContain(
      `anthropic: routed, but to POST /v1/v1/messages; its base URL has "/v1" too many: use http://127.0.0.1:${replayPort}/p/anthropic`,
    );
    expect(r.stdout).toContain(
      `gemini: the target called the replay upstream outside any provider slot (POST /v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse): its base URL must be http://127.0.0.1:${replayPort}/p/gemini`,
    );
    expect(r.stdout).toMatch(/^backendai +yes +200 /m);
    expect(r.stdout).toContain('1 of 4 provider(s) routed to the replay upstream and answered 2xx');
    expect(r.stdout).toContain('sent: model "openai/gpt-5-nano" (cassette openai/text-usage)');
    const profile = suggestedProfile(r.stdout);
    expect(Object.keys(profile.providers)).toEqual(['backendai']);
    expect(r.stdout).toContain('  # "openai":\n  #   model: "{provider}/{model}"');
  });
});

describe('streamproof doctor against targets that do not route or do not answer', () => {
  it('a target that refuses every request: not routed, with its status, content-type and first bytes', async () => {
    const body = JSON.stringify({ error: { message: 'model not found', type: 'invalid_request_error' } });
    const server = createHttpServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const r = await runCli(['doctor', '--target', `http://127.0.0.1:${port}`, '--provider', 'openai']);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(`openai    no      404 application/json  ${body}`);
      expect(r.stdout).toContain(
        'openai: the target refused it without calling the replay upstream: the model name or headers select no route to',
      );
      expect(r.stdout).toContain('0 of 1 provider(s) routed');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a target that never answers: each request gives up at --timeout-ms and the budget bounds the rest', async () => {
    const server = createHttpServer((req) => req.resume()); // reads the request, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    try {
      const started = performance.now();
      const args = ['doctor', '--target', `http://127.0.0.1:${port}`, '--timeout-ms', '300', '--budget-ms', '700'];
      for (const p of ['openai', 'xai', 'azure', 'anthropic', 'gemini']) args.push('--provider', p);
      const r = await runCli(args);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^openai +no +no answer: no complete response within 300 ms$/m);
      expect(r.stdout).toContain('gemini: not probed: the time budget ran out first');
      expect(performance.now() - started).toBeLessThan(10_000); // a bound on hanging, not a benchmark
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('exits 2 at once when nothing listens on the target port', async () => {
    const port = await freePort();
    const r = await runCli(['doctor', '--target', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `streamproof doctor: --target http://127.0.0.1:${port}: cannot connect to 127.0.0.1:${port} (ECONNREFUSED); is the gateway running?\n`,
    );
    expect(r.stdout).not.toContain('reachable: yes');
  });

  it('exits 2 on bad input: no target, an unknown provider', async () => {
    const none = await runCli(['doctor']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('name the gateway to examine with --target URL');
    const unknown = await runCli(['doctor', '--target', 'http://127.0.0.1:9', '--provider', 'openia']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--provider: unknown provider "openia"');
  });
});
