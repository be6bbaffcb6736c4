// The reference gateway's HTTP behaviour around the stream: routing, bad requests, upstream
// failures before and after headers, and a client that goes away.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCassette, type Cassette } from '../../src/cassette/cassette.ts';
import { startReplayUpstream, type ReplayUpstream } from '../../src/replay/upstream.ts';
import { startGateway, type RunningGateway } from '../../src/gateway/server.ts';
import { harnessGatewayConfig } from '../../src/target/target.ts';
import { readOpenAIStream } from '../../src/checks/semantic.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const cassette = loadCassette(join(REPO_ROOT, 'fixtures/openai/text-usage.yaml'));
const chat = { ...cassette.request.body, model: 'openai/gpt-5-nano' };
let replay: ReplayUpstream;
let gateway: RunningGateway;

beforeAll(async () => {
  replay = await startReplayUpstream({ maxHangMs: 5_000 });
  gateway = await startGateway(harnessGatewayConfig(replay, 'normalize'));
});
afterAll(async () => {
  await gateway.close();
  await replay.close();
});

async function call(path: string, body?: unknown, method = 'POST') {
  const res = await request(`${gateway.url}${path}`, {
    method: method as 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

function withResponse(patch: Partial<Cassette['response']>): Cassette {
  return { ...cassette, response: { ...cassette.response, ...patch } };
}

describe('reference gateway', () => {
  it('answers /healthz and /v1/models', async () => {
    expect(JSON.parse((await call('/healthz', undefined, 'GET')).text)).toEqual({ status: 'ok' });
    const models = JSON.parse((await call('/v1/models', undefined, 'GET')).text);
    expect(models.data.map((m: { id: string }) => m.id)).toContain('openai/*');
  });

  it('rejects bad requests with OpenAI-shaped errors', async () => {
    const notJson = await call('/v1/chat/completions', '{nope');
    expect(notJson.status).toBe(400);
    expect(JSON.parse(notJson.text).error.type).toBe('invalid_request_error');
    const unknown = await call('/v1/chat/completions', { ...chat, model: 'mistral/x' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text).error.code).toBe('model_not_found');
  });

  it('answers 400, not a 5xx, for a request the provider of the route cannot take (n > 1 on Anthropic)', async () => {
    const anthropic = loadCassette(join(REPO_ROOT, 'fixtures/anthropic/text-usage.yaml'));
    const res = await call('/v1/chat/completions', {
      ...anthropic.request.body,
      model: `anthropic/${anthropic.request.body['model']}`,
      n: 2,
    });
    expect(res.status).toBe(400);
    const error = JSON.parse(res.text).error;
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toMatch(/^anthropic cannot take this request: /);
    expect(replay.unexpected).toEqual([]); // nothing was sent upstream
  });

  it('sends streaming hygiene headers', async () => {
    replay.arm('openai', { cassette, chunks: cassette.response.chunks, speed: 0 });
    const res = await call('/v1/chat/completions', chat);
    expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-accel-buffering']).toBe('no');
    expect(res.headers['content-encoding']).toBeUndefined();
  });

  it('keeps the status and the provider message of an upstream error before headers', async () => {
    const body = '{"error":{"message":"Rate limit reached for gpt-5-nano","type":"requests","param":null,"code":"rate_limit_exceeded"}}';
    const limited = withResponse({
      status: 429,
      headers: { 'content-type': 'application/json' },
      chunks: [{ bytes: Buffer.from(body), at: 0 }],
    });
    replay.arm('openai', { cassette: limited, chunks: limited.response.chunks, speed: 0 });
    const res = await call('/v1/chat/completions', chat);
    expect(res.status).toBe(429);
    expect(JSON.parse(res.text).error).toMatchObject({ message: 'Rate limit reached for gpt-5-nano', code: 'rate_limit_exceeded' });
  });

  it('answers 502 when the upstream cannot be reached', async () => {
    const dead = await startGateway({
      ...harnessGatewayConfig(replay, 'normalize'),
      routes: [{ match: 'openai/*', provider: 'openai', mode: 'normalize', baseUrl: 'http://127.0.0.1:1', headers: {}, options: {} }],
    });
    try {
      const res = await request(`${dead.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chat) });
      expect(res.statusCode).toBe(502);
      expect(JSON.parse(await res.body.text()).error.message).toMatch(/upstream request failed: ECONNREFUSED/);
    } finally {
      await dead.close();
    }
  });

  it('ends the client stream with an error event when the upstream resets mid-stream', async () => {
    const reset = withResponse({ end: 'reset' });
    replay.arm('openai', { cassette: reset, chunks: reset.response.chunks.slice(0, 3), speed: 0 });
    const seen = readOpenAIStream(Buffer.from((await call('/v1/chat/completions', chat)).text));
    expect(seen.text).toBe('Hello there,');
    expect(seen.error?.message).toMatch(/^upstream stream failed/);
    expect(seen.sawDone).toBe(false);
  });

  it('aborts the upstream request when the client goes away', async () => {
    const hang = withResponse({ end: 'hang' });
    const exchange = replay.arm('openai', { cassette: hang, chunks: hang.response.chunks.slice(0, 2), speed: 0 });
    const before = replay.openConnections;
    const controller = new AbortController();
    const res = await request(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chat),
      signal: controller.signal,
    });
    for await (const _ of res.body) break; // first bytes arrived: the stream is live
    controller.abort();
    // The replay holds a `hang` open for 5 s unless the gateway closes the upstream connection.
    const closed = await Promise.race([exchange.then(() => true), sleep(2_000).then(() => false)]);
    expect(closed, 'the gateway kept the upstream request open after the client left').toBe(true);
    for (let i = 0; i < 100 && replay.openConnections > before; i++) await sleep(10);
    expect(replay.openConnections).toBeLessThanOrEqual(before);
    expect(gateway.activeStreams).toBe(0);
  });
});
