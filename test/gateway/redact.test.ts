// A route's configured secrets never reach the client: an upstream that echoes the API key in an
// error status body, or in an in-band error event (normalize and passthrough), has it redacted.
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { redactSecrets, routeSecrets } from '../../src/gateway/redact.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const KEY = 'sk-streamproof-openai'; // the harness config's key for the openai route
const cassette = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const chat = { ...cassette.request.body, model: 'openai/gpt-5-nano' };
let replay: ReplayUpstream;
const gateways: RunningGateway[] = [];

beforeAll(async () => {
  replay = await startReplayUpstream({ maxHangMs: 5_000 });
});
afterAll(async () => {
  for (const g of gateways) await g.close();
  await replay.close();
});

async function gatewayIn(mode: 'normalize' | 'passthrough'): Promise<RunningGateway> {
  const g = await startGateway(harnessGatewayConfig(replay, mode));
  gateways.push(g);
  return g;
}

async function send(g: RunningGateway, plan: Cassette) {
  replay.arm('openai', { cassette: plan, chunks: plan.response.chunks, speed: 0 });
  const res = await request(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(chat),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

const echoEvent: Cassette = {
  ...cassette,
  response: {
    ...cassette.response,
    chunks: [
      {
        bytes: Buffer.from('data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"hi"}}]}\n\n'),
        at: 0,
      },
      {
        bytes: Buffer.from(`data: {"error":{"message":"Incorrect API key provided: Bearer ${KEY}","type":"invalid_request_error"}}\n\n`),
        at: 0,
      },
    ],
  },
};

describe('secrets in relayed errors', () => {
  it('routeSecrets takes the key and secret-named options and headers, not ordinary values', () => {
    const secrets = routeSecrets({
      apiKey: 'sk-abcdefgh12345',
      options: { secretAccessKey: 'wJalrXUtnFEMI/K7MDENG', region: 'us-east-1' },
      headers: { 'helicone-auth': 'Bearer sk-helicone-123456', 'x-title': 'my app title' },
    });
    expect(secrets).toEqual(
      expect.arrayContaining(['sk-abcdefgh12345', 'wJalrXUtnFEMI/K7MDENG', 'Bearer sk-helicone-123456', 'sk-helicone-123456']),
    );
    expect(secrets).not.toContain('us-east-1');
    expect(secrets).not.toContain('my app title');
    expect(redactSecrets('key Bearer sk-helicone-123456 end', secrets)).toBe('key [redacted] end');
  });

  it('an error status body that echoes the key', async () => {
    const g = await gatewayIn('normalize');
    const body = JSON.stringify({
      error: { message: `Incorrect API key provided: ${KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' },
    });
    const res = await send(g, { ...cassette, response: { ...cassette.response, fault: { fault: 'status', status: 401, body } } });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain(KEY);
    expect(JSON.parse(res.text).error.message).toBe('Incorrect API key provided: [redacted].');
  });

  it('an in-band error event that echoes the key, normalized', async () => {
    const res = await send(await gatewayIn('normalize'), echoEvent);
    expect(res.text).not.toContain(KEY);
    expect(res.text).toContain('Incorrect API key provided: Bearer [redacted]');
  });

  it('an in-band error event that echoes the key, passed through', async () => {
    const res = await send(await gatewayIn('passthrough'), echoEvent);
    expect(res.text).not.toContain(KEY);
    expect(res.text).toContain('data: {"error":{"message":"Incorrect API key provided: Bearer [redacted]"');
    expect(res.text).toContain('"content":"hi"'); // everything else passes through unchanged
  });

  it('the opt-in request log says method, path, status and time, and nothing secret', async () => {
    const lines: string[] = [];
    const g = await startGateway(harnessGatewayConfig(replay, 'normalize'), { log: (line) => lines.push(line) });
    gateways.push(g);
    const res = await send(g, cassette);
    expect(res.status).toBe(200);
    for (let waited = 0; lines.length === 0 && waited < 2_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^POST \/v1\/chat\/completions 200 \d+\.\d ms$/);
    expect(lines.join('\n')).not.toContain(KEY);
  });
});
